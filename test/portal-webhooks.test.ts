// The webhooks pages in a real browser, against a receiver on 127.0.0.1: an endpoint added with
// the event picker shows its secret once, and that secret verifies what arrives; "Send test
// event" shows success and failure; a real customer.created reaches the receiver and the
// endpoint's log, the event page shows it and redelivers it; rotate, recover, disable, delete.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { browserSkipReason, signUpInPortal, startPortal, type PortalSession } from './support/browser.ts';
import { webhookDelivery } from '../src/webhooks/webhook-service.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  event: { id: string; type: string; data: { object: Record<string, unknown> } };
}

const RECEIVER_OK = 'received by the portal test receiver';
const RECEIVER_FAILURE = 'the receiver exploded';

/** Records every POST; answers 200, or 500 while `failing`. */
async function startReceiver() {
  const received: Received[] = [];
  const state = { failing: false };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      received.push({ headers: req.headers, body, event: JSON.parse(body) });
      if (state.failing) res.writeHead(500).end(RECEIVER_FAILURE);
      else res.writeHead(200).end(RECEIVER_OK);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    state,
    ofType: (type: string) => received.filter((r) => r.event.type === type),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Verifies a delivery's Standard Webhooks signature with `secret`; throws when it does not. */
function verify(delivery: Received, secret: string) {
  const headers = {
    'webhook-id': String(delivery.headers['webhook-id']),
    'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
    'webhook-signature': String(delivery.headers['webhook-signature']),
  };
  return new Webhook(secret).verify(delivery.body, headers) as Received['event'];
}

/** Polls `check` until it is truthy (10 s at most). */
async function until<T>(check: () => T | Promise<T>, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** The page as it stands fits a 390 px wide screen without sideways scrolling. */
async function assertFitsPhone(portal: PortalSession, what: string, screenshot?: string) {
  await portal.page.setViewportSize({ width: 390, height: 844 });
  if (screenshot) await portal.screenshot(screenshot);
  const overflow = await portal.page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  await portal.page.setViewportSize({ width: 1280, height: 860 });
  assert.ok(overflow <= 0, `${what} is ${overflow}px wider than a phone`);
}

const skip = browserSkipReason();

describe('developer portal: webhooks', { skip }, () => {
  let portal: PortalSession;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let cookie = '';
  let endpointId = '';
  let secret = '';
  let customerEventId = '';
  const api = (method: string, path: string, body?: unknown) =>
    portal.t.call(method, path, { headers: { cookie }, body });

  before(async () => {
    receiver = await startReceiver();
    portal = await startPortal();
    // The test server delivers only when told; the real server runs these workers from the start.
    await portal.t.runtime.use(webhookDelivery).start();
  });
  after(async () => {
    await portal?.close();
    await receiver?.close();
  });

  it('adds an endpoint with the event picker and shows its signing secret once', async () => {
    const { page } = portal;
    await signUpInPortal(portal);
    cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await page.getByText('No endpoints yet.').waitFor();

    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByLabel('Description', { exact: true }).fill('CRM sync');
    const allEvents = page.getByRole('checkbox', { name: /^All events \(\*\)/ });
    await allEvents.check();
    assert.equal(
      await page.getByLabel('Filter event types').count(),
      0,
      'with every event chosen there is nothing to pick',
    );
    await allEvents.uncheck();
    await page.getByLabel('Filter event types').fill('customer');
    assert.equal(
      await page.getByRole('checkbox', { name: /^job\.completed/ }).count(),
      0,
      'the filter hides other collections',
    );
    const customerTypes = ['customer.created', 'customer.updated', 'customer.deleted'].map((type) =>
      page.getByRole('checkbox', { name: new RegExp(`^${type.replace('.', '\\.')}`) }),
    );
    await page.getByRole('checkbox', { name: 'Select all customers' }).check();
    for (const box of customerTypes) assert.equal(await box.isChecked(), true);
    await page.getByRole('checkbox', { name: 'Select all customers' }).uncheck();
    for (const box of customerTypes) assert.equal(await box.isChecked(), false);
    await customerTypes[0].check();
    await page.getByText('1 selected: customer.created').waitFor();
    await portal.screenshot('webhooks-create');
    await page.getByRole('button', { name: 'Create endpoint' }).click();

    await page.getByRole('heading', { name: 'Endpoint added' }).waitFor();
    secret = (await page.getByTestId('secret').textContent())!;
    assert.match(secret, /^whsec_/);
    const listed = await api('GET', '/v1/webhook-endpoints');
    assert.equal(listed.status, 200);
    assert.equal(listed.body.data.length, 1);
    const [endpoint] = listed.body.data;
    endpointId = endpoint.id;
    assert.deepEqual(
      [endpoint.url, endpoint.description, endpoint.enabled_events, endpoint.status],
      [receiver.url, 'CRM sync', ['customer.created'], 'enabled'],
    );
    assert.ok(!JSON.stringify(listed.body).includes(secret), 'reads never show the secret');

    const row = page.getByRole('row').filter({ hasText: receiver.url });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /customer\.created.*Enabled/);
    await page.getByRole('button', { name: 'Done' }).click();
    assert.equal(await page.getByTestId('secret').count(), 0, 'the secret is gone once dismissed');
  });

  it('sends a test event: the page shows the answer, and the signature verifies with the secret shown', async () => {
    const { page } = portal;
    await page.getByRole('link', { name: receiver.url }).click();
    await page.getByRole('heading', { name: 'Webhook endpoint' }).waitFor();
    assert.match(page.url(), new RegExp(`/portal/webhooks/${endpointId}$`));

    await page.getByRole('button', { name: 'Send test event' }).click();
    const result = page.getByRole('region', { name: 'Test result' });
    await result.getByText('Succeeded').waitFor();
    const [test] = receiver.ofType('webhook.test');
    assert.ok(test, 'the receiver got webhook.test');
    assert.equal(verify(test, secret).type, 'webhook.test');
    const shown = (await result.textContent()) ?? '';
    for (const part of ['200', RECEIVER_OK, test.event.id]) assert.ok(shown.includes(part), `the result shows ${part}`);
    await portal.screenshot('webhook-endpoint');

    receiver.state.failing = true;
    await page.getByRole('button', { name: 'Send test event' }).click();
    await result.getByText(RECEIVER_FAILURE).waitFor();
    assert.match((await result.textContent()) ?? '', /Failed.*500/);
    receiver.state.failing = false;
    assert.equal(receiver.ofType('webhook.test').length, 2);
  });

  it('logs a real customer.created as succeeded, and the event page shows it and redelivers it', async () => {
    const { page } = portal;
    const session = await api('GET', '/v1/auth/session');
    const key = await portal.t.newKey(session.body.data.session.active_account_id, [
      'write:customers',
      'read:customers',
    ]);
    const customer = await portal.t.call('POST', '/v1/customers', { key, body: { name: 'Grace Hopper' } });
    assert.equal(customer.status, 201, customer.text);
    const [arrived] = await until(() => {
      const got = receiver.ofType('customer.created');
      return got.length ? got : null;
    }, 'customer.created at the receiver');
    assert.equal(verify(arrived, secret).data.object.id, customer.body.data.id);
    customerEventId = arrived.event.id;

    const customerRow = page.getByRole('row').filter({ hasText: 'customer.created' });
    await until(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return (await customerRow.count()) === 1;
    }, 'customer.created in the delivery log');
    assert.match((await customerRow.textContent()) ?? '', /Succeeded/);

    const result = page.getByLabel('Result', { exact: true });
    await result.selectOption('failed');
    // The list keeps its rows until the filtered page arrives, and the failed test delivery (500)
    // is already among them: only the success leaving shows the filter has answered.
    await customerRow.waitFor({ state: 'detached' });
    assert.equal(
      await page.getByRole('row').filter({ hasText: '500' }).count(),
      1,
      'the failed filter keeps the failed test delivery',
    );
    await result.selectOption('succeeded');
    await customerRow.waitFor();
    assert.equal(await page.getByRole('row').filter({ hasText: '500' }).count(), 0);
    await result.selectOption('');

    await page.getByRole('button', { name: 'Details of customer.created attempt 1' }).click();
    const detail = page.locator('.webhook-detail-row');
    await detail.getByText(RECEIVER_OK).waitFor();
    assert.doesNotMatch((await detail.textContent()) ?? '', /Next retry/, 'a delivered event needs no retry');

    await page.getByRole('button', { name: 'Hide of customer.created attempt 1' }).click();
    await customerRow.getByRole('link', { name: 'customer.created' }).click();
    await page.getByRole('heading', { name: 'Event customer.created' }).waitFor();
    const payload = (await page.getByRole('region', { name: 'Event payload' }).textContent()) ?? '';
    assert.equal(JSON.parse(payload).data.object.id, customer.body.data.id);
    assert.equal(JSON.parse(payload).data.object.name, 'Grace Hopper');
    const deliveryRows = page.getByRole('row').filter({ hasText: receiver.url });
    await deliveryRows.first().waitFor();
    assert.equal(await deliveryRows.count(), 1);
    assert.match((await deliveryRows.textContent()) ?? '', /Succeeded/);

    await page.getByRole('button', { name: 'Redeliver', exact: true }).click();
    await page.getByText('Queued again for 1 endpoint.').waitFor();
    await until(() => receiver.ofType('customer.created').length === 2, 'the redelivery at the receiver');
    const copies = receiver.ofType('customer.created');
    assert.equal(copies[1].headers['webhook-id'], copies[0].headers['webhook-id'], 'a redelivery keeps the webhook-id');
    await until(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return (await deliveryRows.count()) === 2;
    }, 'the redelivery in the event log');
    await portal.screenshot('event-deliveries');
    await assertFitsPhone(portal, 'the event page');

    await page.getByRole('link', { name: '← Webhooks' }).click();
    await page.getByRole('heading', { name: 'Recent deliveries' }).waitFor();
    await page.locator(`a[href="/portal/events/${customerEventId}"]`).first().waitFor();
    const recent = page.getByRole('table', { name: 'Recent deliveries' });
    assert.equal(await recent.getByRole('row').filter({ hasText: 'customer.created' }).count(), 2);
    assert.ok(
      (await recent
        .getByRole('row')
        .filter({ hasText: 'webhook.test' })
        .getByRole('link', { name: receiver.url })
        .count()) >= 2,
      'deliveries name their endpoint by URL',
    );
    await portal.screenshot('webhooks-list');
    await assertFitsPhone(portal, 'the webhooks page');
  });

  const lifecycle =
    'edits, rotates the secret, recovers what failed, redelivers one delivery, disables and deletes the endpoint';
  it(lifecycle, async () => {
    const { page } = portal;
    await portal.open(`/webhooks/${endpointId}`);
    await page.getByRole('heading', { name: 'Webhook endpoint' }).waitFor();

    await page.getByLabel('Description', { exact: true }).fill('CRM sync, customers');
    await page.getByLabel('Filter event types').fill('customer.updated');
    await page.getByRole('checkbox', { name: /^customer\.updated/ }).check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/^Saved at/).waitFor();
    const edited = (await api('GET', `/v1/webhook-endpoints/${endpointId}`)).body.data;
    assert.equal(edited.description, 'CRM sync, customers');
    assert.deepEqual([...edited.enabled_events].sort(), ['customer.created', 'customer.updated']);

    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page
      .getByRole('dialog', { name: 'Rotate the signing secret?' })
      .getByRole('button', { name: 'Rotate secret' })
      .click();
    await page.getByText('New signing secret').waitFor();
    const newSecret = (await page.getByTestId('secret').textContent())!;
    assert.match(newSecret, /^whsec_/);
    assert.notEqual(newSecret, secret);
    await page.getByRole('button', { name: 'Send test event' }).click();
    await until(() => receiver.ofType('webhook.test').length === 3, 'the test after rotation');
    const afterRotation = receiver.ofType('webhook.test')[2];
    verify(afterRotation, newSecret);
    verify(afterRotation, secret); // the previous secret keeps signing for 24 h

    await page.getByRole('button', { name: 'Recover failed deliveries' }).click();
    await page.getByText('Queued 1 delivery again.').waitFor();
    await until(() => receiver.ofType('webhook.test').length === 4, 'the recovered test delivery');
    assert.equal(
      receiver.ofType('webhook.test')[3].headers['webhook-id'],
      receiver.ofType('webhook.test')[1].headers['webhook-id'],
      'recovery resends the failed test event',
    );

    await page.getByRole('button', { name: 'Details of customer.created attempt 1' }).first().click();
    await page.getByRole('button', { name: 'Redeliver to this endpoint' }).click();
    await page.getByText('Queued again for 1 endpoint.').waitFor();
    await until(() => receiver.ofType('customer.created').length === 3, 'the redelivery to this endpoint');

    await assertFitsPhone(portal, 'the endpoint page', 'webhook-endpoint-phone');

    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Disable this endpoint?' })
      .getByRole('button', { name: 'Disable endpoint' })
      .click();
    await page.getByRole('button', { name: 'Enable', exact: true }).waitFor();
    const disabled = (await api('GET', `/v1/webhook-endpoints/${endpointId}`)).body.data;
    assert.equal(disabled.status, 'disabled');
    assert.ok((await page.getByText(disabled.disabled_reason).count()) > 0, 'the page says why it is disabled');

    await page.getByRole('button', { name: 'Delete endpoint' }).click();
    await page
      .getByRole('dialog', { name: 'Delete this endpoint?' })
      .getByRole('button', { name: 'Delete endpoint' })
      .click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    assert.match(page.url(), /\/portal\/webhooks$/);
    assert.equal((await api('GET', `/v1/webhook-endpoints/${endpointId}`)).status, 404);
    await page.getByText('No endpoints yet.').waitFor();
    assert.deepEqual(portal.pageErrors, []);
  });
});
