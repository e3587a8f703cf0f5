// The portal's analytics pages in a real browser: the request log lists an API key's real calls
// and filters them (state in the URL), a failure opens with its problem, the usage dashboard
// counts exactly those calls and draws its charts, and alert rules made in the UI reach the API
// and show their alerts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { browserSkipReason, signUpInPortal, startPortal, type PortalSession } from './support/browser.ts';
import { requestQuota } from '../src/limits/limits-services.ts';
import { alertEvaluator, requestLogWriter } from '../src/analytics/analytics-services.ts';

const skip = browserSkipReason();

/** Polls `read` until `done` holds (the page loads data asynchronously); returns the last value. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const requestIdsIn = (table: Locator) => table.getByRole('link', { name: /^req_/ }).allTextContents();

describe('developer portal: request logs, usage and alerts', { skip }, () => {
  let portal: PortalSession;
  before(async () => {
    portal = await startPortal();
  });
  after(async () => {
    await portal?.close();
  });

  it("shows an API key's real calls in the log, usage and alerts", async () => {
    const { page, t } = portal;
    await signUpInPortal(portal);
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const session = await t.call('GET', '/v1/auth/session', { headers: { cookie } });
    const accountId: string = session.body.data.session.active_account_id;
    const createdKey = await t.call('POST', '/v1/api-keys', {
      headers: { cookie },
      body: { name: 'Analytics probe', mode: 'live', scopes: ['read:*', 'write:*'] },
    });
    assert.equal(createdKey.status, 201, createdKey.text);
    const { id: keyId, secret: key } = createdKey.body.data;

    // The key's traffic: three successes and one 404, each with the id the server answered.
    const calls = [
      await t.call('POST', '/v1/customers', { key, body: { name: 'Logged customer' } }),
      await t.call('GET', '/v1/customers?limit=5', { key }),
    ];
    calls.push(await t.call('GET', `/v1/customers/${calls[0].body.data.id}`, { key }));
    const failure = await t.call('GET', '/v1/customers/cus_nope', { key });
    calls.push(failure);
    assert.deepEqual(
      calls.map((c) => c.status),
      [201, 200, 200, 404],
    );
    const callIds = calls.map((c) => c.headers.get('x-request-id')!);
    const failureId = failure.body.request_id;
    assert.equal(failureId, callIds[3]);
    await t.runtime.use(requestLogWriter).flush();
    await t.runtime.use(requestQuota).flush();

    // Request log: the key's calls, then only its failure; the filters live in the URL.
    await portal.open('/logs');
    const table = page.getByRole('table', { name: 'Requests, newest first' });
    const all = await eventually(
      () => requestIdsIn(table),
      (ids) => callIds.every((id) => ids.includes(id)),
    );
    assert.ok(
      callIds.every((id) => all.includes(id)),
      `every call is listed: ${all.join(', ')}`,
    );
    await page.getByLabel('API key').selectOption(keyId);
    const byKey = await eventually(
      () => requestIdsIn(table),
      (ids) => ids.length === callIds.length,
    );
    assert.deepEqual([...byKey].sort(), [...callIds].sort(), 'filtered by the key: exactly its calls');
    await page.getByLabel('Route').fill('/v1/customers');
    await page.getByLabel('Route').press('Enter');
    const byRoute = await eventually(
      () => requestIdsIn(table),
      (ids) => ids.length === 2,
    );
    assert.deepEqual(
      [...byRoute].sort(),
      [callIds[0], callIds[1]].sort(),
      'the route template /v1/customers: the create and the list',
    );
    await page.getByLabel('Route').fill('');
    await page.getByLabel('Route').press('Enter');
    assert.equal(
      (
        await eventually(
          () => requestIdsIn(table),
          (ids) => ids.length === callIds.length,
        )
      ).length,
      callIds.length,
      'an empty route filters nothing',
    );
    await page.getByLabel('Status').selectOption('4xx');
    const failures = await eventually(
      () => requestIdsIn(table),
      (ids) => ids.length === 1,
    );
    assert.deepEqual(failures, [failureId], 'status 4xx leaves only the failure');
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('status'), '4xx');
    assert.equal(url.searchParams.get('key'), keyId);
    await portal.screenshot('analytics-logs');
    await page.reload();
    assert.deepEqual(
      await eventually(
        () => requestIdsIn(table),
        (ids) => ids.length === 1,
      ),
      [failureId],
      'the URL reproduces the view',
    );

    // The failure in full: its route, status, redacted credential and the problem it got.
    await table.getByRole('link', { name: failureId }).click();
    await page.getByRole('heading', { name: 'Problem returned' }).waitFor();
    const detail = await page.locator('main').innerText();
    assert.match(detail, /\/v1\/customers\/\{id\}/);
    assert.match(detail, /not_found/);
    assert.match(detail, /Analytics probe/);
    assert.match(detail, /Bearer fl_live_\w{12}\[redacted\]/, 'the key shows only its prefix');
    assert.ok(!detail.includes(key.slice(20)), 'never the secret');
    const problem = JSON.parse(await page.getByLabel('Problem details (JSON)').innerText());
    assert.equal(problem.code, 'not_found');
    assert.equal(problem.request_id, failureId);
    await portal.screenshot('analytics-log-detail');

    // A pasted id opens its entry; an unknown one says why it is not there.
    await portal.open('/logs');
    await page.getByLabel('Paste a request id').fill(callIds[0]);
    await page.getByRole('button', { name: 'Open request' }).click();
    await page.getByRole('heading', { name: /POST/ }).waitFor();
    assert.match(page.url(), new RegExp(`/portal/logs/${callIds[0]}$`));
    await page.getByText('Headers and bodies are kept only for failed requests.').waitFor();
    await portal.open('/logs/req_not_in_this_account');
    await page.getByText('Not in your request log').waitFor();

    // Usage of the key: the tiles count exactly its calls; the charts draw.
    await portal.open('/usage');
    await page.getByLabel('Traffic of').selectOption(keyId);
    const tile = (name: string) => page.getByRole('group', { name }).locator('.value');
    const failed = calls.filter((c) => c.status >= 400).length;
    // Formatted as the page formats them, in the browser's locale.
    const expected = await page.evaluate(
      ([requests, errors]) => ({
        requests: requests.toLocaleString(),
        errors: errors.toLocaleString(),
        zero: (0).toLocaleString(),
        errorRate: `${((errors / requests) * 100).toLocaleString(undefined, { maximumFractionDigits: 1 })} %`,
      }),
      [calls.length, failed],
    );
    assert.equal(
      await eventually(
        () => tile('Requests').innerText(),
        (text) => text === expected.requests,
      ),
      expected.requests,
    );
    assert.equal(await tile('Error rate (4xx and 5xx)').innerText(), expected.errorRate);
    assert.equal(await tile('Rate limited (429)').innerText(), expected.zero);
    assert.match(await tile('p95 latency').innerText(), /^[\d.,]+ ms$/);
    assert.equal((await page.locator('.chart canvas').count()) >= 3, true, 'three charts, each a uPlot canvas');
    assert.match(
      (await page.getByRole('img', { name: /^Requests per hour/ }).getAttribute('aria-label')) ?? '',
      /Requests peaks at \d/,
    );
    const column = async (caption: string, index: number) =>
      (
        await page
          .getByRole('table', { name: caption, includeHidden: true })
          .locator(`tbody td:nth-child(${index})`)
          .allTextContents()
      ).map(Number);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    assert.equal(
      sum(await column('Requests per hour (requests)', 2)),
      calls.length,
      "the chart's numbers add up to the key's calls",
    );
    assert.equal(sum(await column('Requests per hour (requests)', 3)), failed, 'and to its failures');
    const cellsOf = (row: Locator) => row.getByRole('cell').allInnerTexts();
    const keyRow = page.getByRole('table', { name: 'Top keys' }).getByRole('row', { name: /Analytics probe/ });
    const keyCells = await eventually(
      () => cellsOf(keyRow),
      (cells) => cells.length === 4,
    );
    assert.deepEqual(
      keyCells.slice(1),
      [expected.requests, expected.errors, expected.errorRate],
      "top keys: the key's requests, errors and error rate",
    );
    const errorRow = page
      .getByRole('table', { name: /Failed requests grouped/ })
      .getByRole('row', { name: /GET \/v1\/customers\/\{id\}/ });
    const errorCells = await eventually(
      () => cellsOf(errorRow),
      (cells) => cells.length === 7,
    );
    assert.deepEqual(
      [errorCells[0], errorCells[2], errorCells[3], errorCells[6]],
      ['not_found', '404', expected.errors, failureId],
      "errors: the key's 404 with its request",
    );
    const quota = page.getByRole('meter', { name: 'API requests this month' });
    assert.ok(
      Number(
        await eventually(
          () => quota.getAttribute('aria-valuenow'),
          (v) => Number(v) >= calls.length,
        ),
      ) >= calls.length,
      "the month counts at least the key's calls",
    );
    await portal.screenshot('analytics-usage');

    // An alert rule made in the UI is the API's; evaluated against this traffic, it fires.
    await portal.open('/alerts');
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByLabel('Rule name').fill('Any client errors');
    await page.getByLabel('Metric').selectOption('error_rate');
    await page.getByLabel(/^Threshold/).fill('3');
    await page.getByLabel('Window (minutes)').fill('10');
    await page.getByLabel('Minimum requests').fill('1');
    await page.getByLabel('Notify email addresses').fill('ops@example.com, oncall@example.com');
    await page.getByRole('checkbox', { name: /Ada Lovelace/ }).check();
    await portal.screenshot('analytics-alert-form');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('status').filter({ hasText: 'Any client errors is created' }).waitFor();
    const rules = (await t.call('GET', '/v1/alert-rules', { headers: { cookie } })).body.data;
    const me = (await t.call('GET', '/v1/users/me', { headers: { cookie } })).body.data;
    assert.deepEqual(
      rules.map((r: any) => [
        r.name,
        r.metric,
        r.threshold,
        r.window_minutes,
        r.min_requests,
        r.notify_emails,
        r.notify_user_ids,
        r.enabled,
      ]),
      [['Any client errors', 'error_rate', 3, 10, 1, ['ops@example.com', 'oncall@example.com'], [me.id], true]],
    );

    await page.getByRole('button', { name: 'Edit Any client errors' }).click();
    await page.getByLabel(/^Threshold/).fill('1');
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.getByRole('status').filter({ hasText: 'is saved' }).waitFor();
    assert.equal(
      (await t.call('GET', `/v1/alert-rules/${rules[0].id}`, { headers: { cookie } })).body.data.threshold,
      1,
    );

    await t.runtime.use(requestLogWriter).flush();
    let report = await t.runtime.use(alertEvaluator).evaluate({ accountIds: [accountId] });
    while (!report) report = await t.runtime.use(alertEvaluator).evaluate({ accountIds: [accountId] });
    assert.equal(
      report.triggered,
      1,
      "two 404s (the key's and the unknown request id) among fewer than 200 requests are above 1 %",
    );
    await page.reload();
    const history = page.getByRole('table', { name: 'Alerts, newest first' });
    await history.getByRole('row', { name: /Any client errors.*Firing/ }).waitFor();
    await page.getByRole('table', { name: 'Alert rules' }).getByText('Firing').waitFor();
    await portal.screenshot('analytics-alerts');
    await page.getByLabel('State').selectOption('resolved');
    await history.getByText('No alert matches these filters.').waitFor();

    await page.getByRole('button', { name: 'Delete Any client errors' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete rule' }).click();
    await page.getByRole('status').filter({ hasText: 'is deleted' }).waitFor();
    assert.equal((await t.call('GET', `/v1/alert-rules/${rules[0].id}`, { headers: { cookie } })).status, 404);
    assert.deepEqual(portal.pageErrors, []);
  });

  it('fits a phone-width screen', async () => {
    const { page } = portal;
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/usage', '/logs', '/alerts']) {
      await portal.open(path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page
        .locator('[aria-busy="true"]')
        .first()
        .waitFor({ state: 'detached', timeout: 5_000 })
        .catch(() => undefined);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the screen`);
    }
    await portal.open('/usage');
    await page.locator('.chart canvas').first().waitFor();
    await portal.screenshot('analytics-usage-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
    assert.deepEqual(portal.pageErrors, []);
  });
});

describe("developer portal: integrations' traffic by default, the portal's own on request", { skip }, () => {
  let portal: PortalSession;
  before(async () => {
    portal = await startPortal();
  });
  after(async () => {
    await portal?.close();
  });

  it("a newcomer's clicks do not fill the log or usage; a key's calls do, and the control shows both", async () => {
    const { page, t } = portal;
    await signUpInPortal(portal, 'Nell Newcomer', 'Nell Electrics');
    // The newcomer looks around: every page's own calls are made with their session.
    for (const path of ['/', '/keys', '/usage', '/logs']) {
      await portal.open(path);
      await page.getByRole('heading', { level: 1 }).waitFor();
    }
    await t.runtime.use(requestLogWriter).flush();
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const sessionCalls = await t.call('GET', '/v1/request-logs?credential=session&limit=100', { headers: { cookie } });
    assert.ok(sessionCalls.body.data.length > 3, `the portal's calls are logged: ${sessionCalls.body.data.length}`);

    const table = page.getByRole('table', { name: 'Requests, newest first' });
    await portal.open('/logs');
    await page.getByText('No requests from API keys or OAuth apps in the last 24 hours').waitFor();
    assert.deepEqual(await requestIdsIn(table), [], 'the default view holds none of the portal clicks');

    const createdKey = await t.call('POST', '/v1/api-keys', {
      headers: { cookie },
      body: { name: 'First integration', mode: 'live', scopes: ['read:*'] },
    });
    assert.equal(createdKey.status, 201, createdKey.text);
    const key = createdKey.body.data.secret;
    const keyCalls = [await t.call('GET', '/v1/customers', { key }), await t.call('GET', '/v1/jobs', { key })];
    const keyIds = keyCalls.map((c) => c.headers.get('x-request-id')!);
    await t.runtime.use(requestLogWriter).flush();

    await page.getByRole('button', { name: 'Refresh' }).click();
    const integrations = await eventually(
      () => requestIdsIn(table),
      (ids) => ids.length === keyIds.length,
    );
    assert.deepEqual([...integrations].sort(), [...keyIds].sort(), "the default view: exactly the key's calls");

    const include = page.getByRole('checkbox', { name: "Include the portal's own calls" });
    await include.check();
    const everything = await eventually(
      () => requestIdsIn(table),
      (ids) => ids.length > keyIds.length,
    );
    assert.ok(
      keyIds.every((id) => everything.includes(id)),
      'with the portal traffic: the key calls are still there',
    );
    const sessionIds = new Set(sessionCalls.body.data.map((entry: { id: string }) => entry.id));
    assert.ok(
      everything.some((id) => sessionIds.has(id)),
      'and the portal clicks show',
    );
    assert.equal(new URL(page.url()).searchParams.get('traffic'), 'all', 'the choice is in the URL');
    await page.getByText('Session (portal)').first().waitFor();
    await portal.screenshot('analytics-logs-portal-traffic');
    await page.reload();
    assert.equal(await include.isChecked(), true, 'and a reload keeps it');

    // Usage counts the key's calls only, until the portal's own are included.
    await portal.open('/usage');
    const requests = page.getByRole('group', { name: 'Requests' }).locator('.value');
    const two = await page.evaluate(() => (2).toLocaleString());
    assert.equal(
      await eventually(
        () => requests.innerText(),
        (text) => text === two,
      ),
      two,
    );
    await page.getByRole('checkbox', { name: "Include the portal's own calls" }).check();
    const withPortal = await eventually(
      () => requests.innerText(),
      (text) => text !== two && text !== '—',
    );
    assert.ok(Number(withPortal.replace(/\D/g, '')) > 2, `usage with the portal's calls: ${withPortal}`);
    assert.equal(new URL(page.url()).searchParams.get('traffic'), 'all');
    assert.deepEqual(portal.pageErrors, []);
  });
});
