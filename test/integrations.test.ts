// The integrations framework, proven with the Gmail connector against a local fake Google on
// 127.0.0.1: the OAuth connect flow (state + PKCE, sealed tokens), refusals of forged, replayed,
// expired and other-provider states, refresh before expiry, invalid_grant -> needs_reauth,
// DELETE revoking at the provider, scopes, and another account's integration being a 404.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemQuery } from '../src/db/system-query.ts';
import { syncRunner } from '../src/integrations/integration-operations.ts';
import { createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { startFakeGoogle, type FakeGoogle } from './support/fake-google.ts';
import { connectGmail, newMailbox } from './support/gmail-connect.ts';

let google: FakeGoogle;
let t: TestContext;
let account: TestAccount;

before(async () => {
  google = await startFakeGoogle();
  t = await createTestContext({ integrations: google.settings });
});
after(async () => {
  await t.close();
  await google.close();
});
beforeEach(async () => {
  account = await t.newAccount('Mail Co');
});

const call = (method: string, path: string, body?: unknown, key = account.key) => t.call(method, path, { key, body });
const status = async (key = account.key) =>
  (await call('GET', '/v1/integrations/gmail/status', undefined, key)).body.data;
const runSyncs = (now = Date.now()) => t.runtime.use(syncRunner).runDue(now, { accountIds: [account.id] });

describe('connecting Gmail', () => {
  test('authorize redirects with state and a PKCE S256 challenge; the callback stores sealed tokens', async () => {
    assert.equal((await status()).status, 'disconnected');
    const { email, authorizeUrl, callback } = await connectGmail(t, account.key, google);
    const params = new URL(authorizeUrl).searchParams;
    assert.equal(new URL(authorizeUrl).origin, google.base);
    assert.match(params.get('state')!, /^[A-Za-z0-9_-]{43}$/);
    assert.match(params.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(params.get('code_challenge_method'), 'S256');
    assert.equal(params.get('access_type'), 'offline');
    assert.equal(params.get('prompt'), 'consent');
    assert.match(params.get('scope')!, /gmail\.readonly/);
    assert.match(params.get('redirect_uri')!, /\/v1\/integrations\/gmail\/callback$/);
    assert.match(callback.text, new RegExp(`connected as ${email}`));
    // The fake checked the verifier against the challenge before issuing tokens.
    const exchange = google.requests.find((r) => r.path === '/token' && r.form?.get('code'));
    assert.ok(exchange?.form?.get('code_verifier'));

    const shown = await status();
    assert.equal(shown.status, 'connected');
    assert.equal(shown.identity, email);
    assert.ok(shown.scopes.includes('https://www.googleapis.com/auth/gmail.send'));
    const listed = await call('GET', '/v1/integrations');
    assert.equal(listed.body.data.length, 1);
    assert.equal(listed.body.data[0].identity, email);
    assert.doesNotMatch(JSON.stringify(listed.body), /ya29\.|1\/\//);

    const [stored] = await systemQuery(t.db, {
      sql: 'SELECT access_token, refresh_token FROM integration_tokens WHERE account_id = $1',
      parameters: [account.id],
    });
    const grant = [...google.grants.values()].find((g) => g.email === email)!;
    assert.match(stored.access_token, /^v1:/);
    assert.match(stored.refresh_token, /^v1:/);
    assert.ok(!stored.refresh_token.includes(grant.refreshToken));
  });

  test('a forged, replayed or expired state connects nothing', async () => {
    const forged = await t.call('GET', '/v1/integrations/gmail/callback?code=4/abc&state=forged-state-value');
    assert.equal(forged.status, 400);
    assert.match(forged.text, /not started by Fieldline/);

    const { callbackPath } = await connectGmail(t, account.key, google);
    const replayed = await t.call('GET', callbackPath, { headers: { accept: 'application/json' } });
    assert.equal(replayed.status, 400);
    assert.match(replayed.body.detail, /already been used/);

    const other = await t.newAccount('Other Co');
    const start = await call('GET', '/v1/integrations/gmail/authorize', undefined, other.key);
    await systemQuery(t.db, {
      sql: `UPDATE integration_oauth_states SET expires_at = now() - interval '1 minute' WHERE account_id = $1`,
      parameters: [other.id],
    });
    const expired = await t.call('GET', google.consent(start.headers.get('location')!, newMailbox()));
    assert.equal(expired.status, 400);
    assert.match(expired.text, /expired/);
    assert.equal((await status(other.key)).status, 'disconnected');

    const denied = await call('GET', '/v1/integrations/gmail/authorize', undefined, other.key);
    const state = new URL(denied.headers.get('location')!).searchParams.get('state');
    const refused = await t.call('GET', `/v1/integrations/gmail/callback?error=access_denied&state=${state}`);
    assert.equal(refused.status, 400);
    assert.match(refused.text, /not granted/);
    assert.equal((await status(other.key)).status, 'disconnected');
  });

  test('a browser signed in to another account (or as another member) cannot finish the flow', async () => {
    const other = await t.newAccount('Other Co');
    const start = await call('GET', '/v1/integrations/gmail/authorize');
    const back = google.consent(start.headers.get('location')!, newMailbox());
    const refused = await t.call('GET', back, { key: other.key, headers: { accept: 'application/json' } });
    assert.equal(refused.status, 400);
    assert.match(refused.body.detail, /another Fieldline account/);
    assert.equal((await status()).status, 'disconnected');
    assert.equal((await status(other.key)).status, 'disconnected');
    // The same account's own credential may finish it.
    const again = await call('GET', '/v1/integrations/gmail/authorize');
    const ok = await t.call('GET', google.consent(again.headers.get('location')!, newMailbox()), { key: account.key });
    assert.equal(ok.status, 200, ok.text);
  });

  test("a state connects only the account that started it; another account's integration is a 404", async () => {
    const { email } = await connectGmail(t, account.key, google);
    const other = await t.newAccount('Other Co');
    assert.equal((await status(other.key)).status, 'disconnected');
    const mine = (await call('GET', '/v1/integrations')).body.data[0];
    assertProblem(await call('GET', `/v1/integrations/${mine.id}`, undefined, other.key), 404, 'not_found');
    assertProblem(await call('DELETE', '/v1/integrations/gmail', undefined, other.key), 404, 'not_found');
    assertProblem(await call('DELETE', `/v1/integrations/${mine.id}`, undefined, other.key), 404, 'not_found');
    assertProblem(await call('POST', '/v1/integrations/gmail/sync', {}, other.key), 409, 'conflict');
    assert.equal((await status()).identity, email);
  });

  test('scopes: read:integrations reads, write:integrations connects', async () => {
    const reader = await t.newKey(account.id, ['read:integrations']);
    assert.equal((await call('GET', '/v1/integrations/gmail/status', undefined, reader)).status, 200);
    const refused = await call('GET', '/v1/integrations/gmail/authorize', undefined, reader);
    assertProblem(refused, 403, 'insufficient_scope');
    assertProblem(await call('GET', '/v1/integrations/nope/status'), 404, 'not_found');
  });
});

describe('tokens', () => {
  test('an access token about to expire is refreshed before the call', async () => {
    google.setAccessTokenTtl(30); // under the minute of margin
    try {
      await connectGmail(t, account.key, google);
      const before = google.requests.length;
      await call('POST', '/v1/integrations/gmail/sync', {});
      await runSyncs();
      const after = google.requests.slice(before);
      const firstRefresh = after.findIndex((r) => r.path === '/token' && r.form?.get('grant_type') === 'refresh_token');
      const firstGmail = after.findIndex((r) => r.path.startsWith('/gmail/'));
      assert.ok(firstRefresh >= 0 && firstRefresh < firstGmail, 'refreshed before calling Gmail');
      assert.equal((await status()).last_sync_status, 'succeeded');
    } finally {
      google.setAccessTokenTtl(3600);
    }
  });

  test('invalid_grant on refresh: needs_reauth, tokens forgotten, the run failed', async () => {
    google.setAccessTokenTtl(30);
    try {
      const { email } = await connectGmail(t, account.key, google);
      google.revokeAll(email);
      const started = await call('POST', '/v1/integrations/gmail/sync', {});
      assert.equal(started.status, 202, started.text);
      await runSyncs();
      const shown = await status();
      assert.equal(shown.status, 'needs_reauth');
      assert.match(shown.last_error, /invalid_grant/);
      const run = await call('GET', `/v1/integration-syncs/${started.body.data.id}`);
      assert.equal(run.body.data.status, 'failed');
      const tokens = await systemQuery(t.db, {
        sql: 'SELECT 1 FROM integration_tokens WHERE account_id = $1',
        parameters: [account.id],
      });
      assert.equal(tokens.length, 0);
      assertProblem(await call('POST', '/v1/integrations/gmail/sync', {}), 409, 'conflict');
      // Connecting again recovers.
      await connectGmail(t, account.key, google, email);
      assert.equal((await status()).status, 'connected');
    } finally {
      google.setAccessTokenTtl(3600);
    }
  });

  test('a 401 to a token we believed valid: refreshed once and the call repeated', async () => {
    await connectGmail(t, account.key, google);
    google.fail({
      path: '/profile',
      status: 401,
      body: JSON.stringify({ error: { code: 401, message: 'Invalid Credentials', status: 'UNAUTHENTICATED' } }),
    });
    const before = google.requests.length;
    await call('POST', '/v1/integrations/gmail/sync', {});
    await runSyncs();
    const refreshed = google.requests.slice(before).filter((r) => r.form?.get('grant_type') === 'refresh_token');
    assert.equal(refreshed.length, 1);
    const shown = await status();
    assert.equal(shown.status, 'connected');
    assert.equal(shown.last_sync_status, 'succeeded');
  });

  test('a malformed token answer connects nothing and says so', async () => {
    google.fail({ path: '/token', status: 200, body: '{"access_token": 5}' });
    const start = await call('GET', '/v1/integrations/gmail/authorize');
    const back = await t.call('GET', google.consent(start.headers.get('location')!, newMailbox()));
    assert.equal(back.status, 400);
    assert.match(back.text, /did not complete the connection/);
    assert.equal((await status()).status, 'disconnected');
  });

  test('DELETE revokes the grant at Google and forgets the tokens', async () => {
    const { email } = await connectGmail(t, account.key, google);
    const grant = [...google.grants.values()].find((g) => g.email === email)!;
    const queued = await call('POST', '/v1/integrations/gmail/sync', {});
    const deleted = await call('DELETE', '/v1/integrations/gmail');
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal(deleted.body.data.status, 'disconnected');
    const revoke = google.requests.findLast((r) => r.path === '/revoke');
    assert.equal(revoke?.form?.get('token'), grant.refreshToken);
    assert.equal(grant.revoked, true);
    const tokens = await systemQuery(t.db, {
      sql: 'SELECT 1 FROM integration_tokens WHERE account_id = $1',
      parameters: [account.id],
    });
    assert.equal(tokens.length, 0);
    assertProblem(await call('DELETE', '/v1/integrations/gmail'), 404, 'not_found');
    // By its id too, once connected again.
    await connectGmail(t, account.key, google, email);
    const byId = await call('DELETE', `/v1/integrations/${deleted.body.data.integration_id}`);
    assert.equal(byId.body.data.status, 'disconnected', byId.text);
    // A run queued before: it fails, and the integration stays disconnected.
    await runSyncs();
    assert.equal((await call('GET', `/v1/integration-syncs/${queued.body.data.id}`)).body.data.status, 'failed');
    assert.equal((await status()).status, 'disconnected');
  });
});
