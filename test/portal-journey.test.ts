// The portal's promise, end to end in a real browser against a server that runs its background
// work as `npm start` does: a new person signs up, creates a key, calls the API with it, finds
// that call in the request log, points a webhook endpoint at a local receiver, presses "Send
// test event" and sees the delivery, and the overview then shows every first step done and a
// chart of their first requests. Nothing is typed into a terminal but the API call itself.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { browserSkipReason, signUpInPortal, startPortal, type PortalSession } from './support/browser.ts';

describe("a new user's first integration, through the portal", { skip: browserSkipReason() }, () => {
  let portal: PortalSession;
  let receiver: Server;
  const deliveries: { type: string; signature: string }[] = [];

  before(async () => {
    portal = await startPortal();
    void portal.t.runtime.start(); // log flushes, webhook workers: what a running server does
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        deliveries.push({ type: JSON.parse(body).type, signature: String(req.headers['webhook-signature']) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    receiver?.closeAllConnections();
    receiver?.close();
    await portal?.close();
  });

  it('goes from sign-up to a working key, a delivered test webhook and a chart of the first requests', async () => {
    const { page } = portal;
    await signUpInPortal(portal, 'Grace Hopper', 'Hopper HVAC');
    const checklist = page.getByRole('list').filter({ hasText: 'Create an API key' });
    await checklist.getByText('To do').first().waitFor();
    assert.equal(await checklist.getByText('Done', { exact: true }).count(), 0, 'a new account has done nothing yet');
    await portal.screenshot('journey-1-overview-new');

    // A key, created in the portal; its secret is shown once.
    await page.getByRole('link', { name: 'API keys' }).first().click();
    await page.getByRole('button', { name: 'New key' }).click();
    await page.getByLabel('Name', { exact: true }).fill('First integration');
    await page.getByLabel('Filter scopes').fill('customers');
    await page.getByLabel('read:customers', { exact: true }).check();
    await page.getByLabel('write:customers', { exact: true }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('secret').textContent())!;
    assert.match(secret, /^fl_live_/);
    await portal.screenshot('journey-2-key');

    // The integration calls the API with it.
    const created = await fetch(`${portal.base}/v1/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ada Lovelace' }),
    });
    assert.equal(created.status, 201);
    const requestId = created.headers.get('x-request-id')!;
    const listed = await fetch(`${portal.base}/v1/customers`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(listed.status, 200);

    // ... and that call is in the request log (written off the hot path: reload until it is).
    await page.getByRole('link', { name: 'Request logs' }).click();
    const link = page.getByRole('link', { name: requestId });
    for (let tries = 0; !(await link.count()) && tries < 40; tries++) {
      await page.waitForTimeout(250);
      await page.getByRole('button', { name: 'Refresh' }).click();
    }
    await link.click();
    await page.getByRole('heading', { name: /POST/ }).waitFor();
    assert.match(await page.locator('main').innerText(), /201/);
    assert.ok(!(await page.locator('main').innerText()).includes(secret), 'the key itself is never shown in the log');
    await portal.screenshot('journey-3-request');

    // A webhook endpoint at the local receiver, and a test event delivered to it.
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page
      .getByLabel('Endpoint URL')
      .fill(`http://127.0.0.1:${(receiver.address() as { port: number }).port}/fieldline`);
    await page.getByRole('checkbox', { name: /^All events \(\*\)/ }).check();
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: 'Endpoint added' }).waitFor();
    await page
      .getByRole('link', { name: /127\.0\.0\.1/ })
      .first()
      .click();
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByRole('region', { name: 'Test result' }).getByText('Succeeded').waitFor();
    assert.deepEqual(deliveries.filter((d) => d.type === 'webhook.test').length, 1);
    assert.match(deliveries[0].signature, /^v1,/);
    await portal.screenshot('journey-4-webhook-test');

    // The overview: every first step done, and the first requests on the chart.
    await page.getByRole('link', { name: 'Overview' }).click();
    await checklist.waitFor();
    for (let tries = 0; (await checklist.getByText('Done', { exact: true }).count()) < 4 && tries < 20; tries++) {
      await page.waitForTimeout(250);
      await page.reload();
    }
    assert.equal(
      await checklist.getByText('Done', { exact: true }).count(),
      4,
      'key, call, endpoint and delivery are all done',
    );
    const chart = page.getByRole('img', { name: /^Requests per hour/ });
    await chart.waitFor();
    assert.match(
      (await chart.getAttribute('aria-label'))!,
      /Requests peaks at [1-9]/,
      'the chart shows the requests just made',
    );
    await portal.screenshot('journey-5-overview-done');
    assert.deepEqual(portal.pageErrors, []);
  });
});
