// The portal's keys area in a real browser: an API key made with one scope works for exactly
// that scope, rotates with immediate expiry, rescopes and revokes; an OAuth app registered with
// client credentials gets a token until it is disabled; the account's CORS origins saved in
// settings are what the API answers; a key's rate limits set in its form hold, within the plan's
// ceiling; and another session can be signed out from settings.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkipReason, signUpInPortal, startPortal, type PortalSession } from './support/browser.ts';

const skip = browserSkipReason();

describe('developer portal: keys, OAuth apps and settings', { skip }, () => {
  let portal: PortalSession;
  let cookie = '';
  let credentials: { email: string; password: string };
  before(async () => {
    portal = await startPortal();
    credentials = await signUpInPortal(portal);
    const session = (await portal.page.context().cookies()).find((c) => c.name === 'fieldline.session_token');
    assert.ok(session, 'signing up set the session cookie');
    cookie = `${session.name}=${session.value}`;
  });
  after(async () => {
    await portal?.close();
  });

  const api = (secret: string, method: string, path: string, body?: unknown) =>
    fetch(`${portal.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  it('creates a key with one scope, rotates it with immediate expiry, widens its scopes and revokes it', async () => {
    const { page } = portal;
    await portal.open('/keys');
    await page.getByText('No active keys').waitFor();
    await page.getByRole('button', { name: 'New key' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Read-only sync');
    await page.getByLabel('Filter scopes').fill('customers');
    assert.equal(await page.getByLabel('read:jobs', { exact: true }).count(), 0, 'the filter narrows the scopes');
    await page.getByLabel('read:customers', { exact: true }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('secret').textContent())!;
    assert.match(secret, /^fl_live_/);
    const row = page.getByRole('row', { name: /Read-only sync/ });
    await row.getByText('read:customers').waitFor();
    const stored = JSON.parse((await page.evaluate(() => sessionStorage.getItem('fieldline.portal.tryKey')))!);
    assert.equal(stored.secret, secret, 'the new key is kept for the API reference');
    await portal.screenshot('keys-created');

    assert.equal((await api(secret, 'GET', '/v1/customers')).status, 200);
    const write = await api(secret, 'POST', '/v1/customers', { name: 'Not allowed' });
    assert.equal(write.status, 403);
    assert.equal((await write.json()).code, 'insufficient_scope');

    await page.getByRole('button', { name: 'Manage Read-only sync' }).click();
    const panel = page.getByRole('region', { name: 'Manage Read-only sync' });
    await panel.getByLabel('Previous secret stops working').selectOption({ label: 'Now' });
    await panel.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate', exact: true }).click();
    const rotated = (await panel.getByTestId('secret').textContent())!;
    assert.match(rotated, /^fl_live_/);
    assert.notEqual(rotated, secret);
    assert.equal((await api(rotated, 'GET', '/v1/customers')).status, 200, 'the new secret works');
    assert.equal((await api(secret, 'GET', '/v1/customers')).status, 401, 'the old secret ended at once');
    assert.equal(
      JSON.parse((await page.evaluate(() => sessionStorage.getItem('fieldline.portal.tryKey')))!).secret,
      rotated,
    );

    await panel.getByLabel('Filter scopes').fill('customers');
    await panel.getByLabel('write:customers', { exact: true }).check();
    await panel.getByRole('button', { name: 'Save changes' }).click();
    await panel.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    assert.equal(
      (await api(rotated, 'POST', '/v1/customers', { name: 'Now allowed' })).status,
      201,
      'the added scope applies at once',
    );

    await panel.getByRole('button', { name: 'Revoke Read-only sync' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.getByText('The key Read-only sync is revoked.').waitFor();
    assert.equal((await api(rotated, 'GET', '/v1/customers')).status, 401, 'a revoked key is refused');
    const keys = await portal.t.call('GET', '/v1/api-keys?status=revoked', { headers: { cookie } });
    assert.deepEqual(
      keys.body.data.map((k: { name: string; scopes: string[] }) => [k.name, k.scopes.sort()]),
      [['Read-only sync', ['read:customers', 'write:customers']]],
    );
    assert.equal(
      await page.evaluate(() => sessionStorage.getItem('fieldline.portal.tryKey')),
      null,
      'a revoked key is no longer offered to try',
    );
  });

  it('shows the server refusing to revoke the last key that can manage keys', async () => {
    const { page } = portal;
    await page.getByRole('button', { name: 'New key' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Key admin');
    await page.getByLabel('Mode').selectOption('live');
    await page.getByLabel('Filter scopes').fill('api-keys');
    await page.getByLabel('write:api-keys', { exact: true }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    assert.match(
      (await page.getByRole('status').filter({ hasText: 'Secret of Key admin' }).getByTestId('secret').textContent())!,
      /^fl_live_/,
    );
    await page
      .getByRole('row', { name: /Key admin/ })
      .getByText('live', { exact: true })
      .waitFor();
    await page.getByRole('button', { name: 'Manage Key admin' }).click();
    await page.getByRole('button', { name: 'Revoke Key admin' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    const alert = page.getByRole('dialog').getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent())!, /last active key.*409 conflict/s);
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByLabel('Show').selectOption('all');
    await page
      .getByRole('row', { name: /Read-only sync/ })
      .getByText('Revoked')
      .waitFor();
    await portal.screenshot('keys-list');
  });

  it("sets a key's rate limits: applied from its next request, refused above the plan's ceiling", async () => {
    const { page } = portal;
    const reads = async (secret: string, n: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) statuses.push((await api(secret, 'GET', '/v1/customers')).status);
      return statuses;
    };
    await page.getByRole('button', { name: 'New key' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Throttled sync');
    await page.getByLabel('Filter scopes').fill('customers');
    await page.getByLabel('read:customers', { exact: true }).check();
    const plan = (await portal.t.call('GET', '/v1/rate-limit', { headers: { cookie } })).body.data;
    const readCeiling = plan.policies.find((p: { bucket: string }) => p.bucket === 'read');
    const inPage = (n: number) => page.evaluate((value) => value.toLocaleString(), n);
    const [limit, seconds] = [await inPage(readCeiling.limit), await inPage(readCeiling.window_seconds)];
    await page.getByText(`Plan's ceiling: ${limit} per ${seconds} s`).first().waitFor();
    await page.getByLabel('Read limit', { exact: true }).fill('2');
    await page.getByLabel('Read window (seconds)', { exact: true }).fill('60');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page
      .getByRole('status')
      .filter({ hasText: 'Secret of Throttled sync' })
      .getByTestId('secret')
      .textContent())!;
    const stored = async () => {
      const keys = await portal.t.call('GET', '/v1/api-keys?status=active', { headers: { cookie } });
      return keys.body.data.find((k: { name: string }) => k.name === 'Throttled sync').rate_limits;
    };
    assert.deepEqual(await stored(), { read: { limit: 2, window_seconds: 60 } }, 'the key holds the limit');
    assert.deepEqual(await reads(secret, 3), [200, 200, 429]);

    await page.getByRole('button', { name: 'Manage Throttled sync' }).click();
    const panel = page.getByRole('region', { name: 'Manage Throttled sync' });
    assert.equal(await panel.getByLabel('Read limit', { exact: true }).inputValue(), '2');
    await panel.getByLabel('Read limit', { exact: true }).fill('100000');
    await panel.getByRole('button', { name: 'Save changes' }).click();
    const refused = panel.getByRole('alert');
    await refused.waitFor();
    assert.match((await refused.textContent())!, /ceiling/);
    await portal.screenshot('keys-rate-limits-refused');
    assert.deepEqual(await stored(), { read: { limit: 2, window_seconds: 60 } }, 'the refused limit changed nothing');

    await panel.getByLabel('Read limit', { exact: true }).fill('3');
    await panel.getByRole('button', { name: 'Save changes' }).click();
    await panel.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    assert.deepEqual(await stored(), { read: { limit: 3, window_seconds: 60 } });
    assert.deepEqual(await reads(secret, 4), [200, 200, 200, 429], 'the new limit counts from the next request');
  });

  it('registers an OAuth app whose client credentials get a token, until it is disabled', async () => {
    const { page } = portal;
    await portal.open('/apps');
    await page.getByText('No OAuth apps yet').waitFor();
    await page.getByText('No app is connected').waitFor();
    await page.getByRole('button', { name: 'New app' }).click();
    await page.getByLabel('App name').fill('Nightly sync');
    await page.getByRole('checkbox', { name: /Client credentials/ }).check();
    await page.getByLabel('Filter scopes').fill('customers');
    assert.equal(await page.getByLabel(/read:\*/).count(), 0, 'apps are not offered the wildcards');
    await page.getByLabel('read:customers', { exact: true }).check();
    await page.getByRole('button', { name: 'Register app' }).click();
    const clientId = (await page.getByTestId('client-id').textContent())!;
    const clientSecret = (await page.getByTestId('secret').textContent())!;
    assert.match(clientId, /^oac_/);
    assert.match(clientSecret, /^flo_cs_/);
    await page
      .getByRole('row', { name: /Nightly sync/ })
      .getByText(clientId)
      .waitFor();
    await portal.screenshot('apps');

    const token = () =>
      fetch(`${portal.base}/v1/auth/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read:customers' }),
      });
    const granted = await token();
    assert.equal(granted.status, 200);
    const { access_token: accessToken } = await granted.json();
    assert.match(accessToken, /^flo_at_/);
    assert.equal((await api(accessToken, 'GET', '/v1/customers')).status, 200);

    await page.getByRole('button', { name: 'Manage Nightly sync' }).click();
    const panel = page.getByRole('region', { name: 'Manage Nightly sync' });
    await panel.getByRole('checkbox', { name: /Disabled/ }).check();
    await panel.getByRole('button', { name: 'Save app' }).click();
    await panel.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await page
      .getByRole('row', { name: /Nightly sync/ })
      .getByText('Disabled')
      .waitFor();
    assert.ok((await token()).status >= 400, 'a disabled app gets no token');
    assert.equal((await api(accessToken, 'GET', '/v1/customers')).status, 401, 'and its issued tokens stop working');
  });

  it("saves the account's CORS origins, shows the quotas, and signs out another session", async () => {
    const { page } = portal;
    const other = await fetch(`${portal.base}/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(credentials),
    });
    assert.equal(other.status, 200);
    await portal.open('/settings');
    const origins = page.getByLabel('Allowed browser origins (CORS)');
    await origins.fill('https://app.example.com\nhttp://localhost:5173\nhttps://app.example.com');
    await page.getByRole('button', { name: 'Save account' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    assert.equal(
      await origins.inputValue(),
      'https://app.example.com\nhttp://localhost:5173',
      'the form shows what the API kept',
    );
    const session = await portal.t.call('GET', '/v1/auth/session', { headers: { cookie } });
    const key = await portal.t.newKey(session.body.data.session.active_account_id, ['read:account']);
    const account = await portal.t.call('GET', '/v1/account', { key });
    assert.deepEqual(account.body.data.cors_allowed_origins, ['https://app.example.com', 'http://localhost:5173']);

    const limits = await portal.t.call('GET', '/v1/rate-limit', { key });
    const requests = page.getByRole('meter', { name: 'API requests this month' });
    assert.equal(await requests.getAttribute('aria-valuemax'), String(limits.body.data.quota.requests_limit));
    assert.ok(Number(await requests.getAttribute('aria-valuenow')) > 0, "this month's requests are counted");
    for (const policy of limits.body.data.policies)
      await page.getByRole('cell', { name: policy.bucket, exact: true }).waitFor();

    const rows = page.getByRole('row').filter({ has: page.getByRole('button', { name: 'Sign out this session' }) });
    await page.getByText('This browser', { exact: true }).waitFor();
    assert.equal(await rows.count(), 1, "every session but this browser's can be signed out here");
    await portal.screenshot('settings');
    await rows.getByRole('button', { name: 'Sign out this session' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Sign out session' }).click();
    await rows.first().waitFor({ state: 'detached' });
    const sessions = await portal.t.call('GET', '/v1/auth/sessions', { headers: { cookie } });
    assert.deepEqual(
      sessions.body.data.map((s: { current: boolean }) => s.current),
      [true],
      "only this browser's session is left",
    );
  });

  it('fits a phone-width screen, forms included', async () => {
    const { page } = portal;
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = () =>
      page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    for (const [path, opens] of [
      ['/keys', 'New key'],
      ['/apps', 'New app'],
      ['/settings', null],
    ] as const) {
      await portal.open(path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      if (opens) await page.getByRole('button', { name: opens }).click();
      await page.getByRole('row').nth(1).waitFor();
      assert.ok((await overflow()) <= 0, `${path} is ${await overflow()}px wider than the screen`);
    }
    await portal.open('/keys');
    await page.getByRole('button', { name: 'New key' }).click();
    await page.getByLabel('read:customers', { exact: true }).waitFor();
    await portal.screenshot('keys-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
    assert.deepEqual(portal.pageErrors, []);
  });
});
