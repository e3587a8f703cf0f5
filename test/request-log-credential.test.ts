// The request log records which kind of credential made each request, and the log, usage and
// errors filter by it: an API key, an OAuth app's token and a person's session cookie each land
// as their kind; a request without a credential belongs to no account's log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createServedTestContext } from './support/real-port.ts';
import type { TestContext } from './support/test-context.ts';
import { discoverAt, registerApp, signUpPerson } from './support/oauth-flow.ts';
import { requestLogWriter } from '../src/analytics/analytics-services.ts';
import { systemQuery } from '../src/db/system-query.ts';

let t: TestContext;
let base: string;
let closeServer: () => Promise<void>;
let cookie: string;
let key: string;
const requestIds: Record<string, string> = {};

before(async () => {
  ({ t, base, close: closeServer } = await createServedTestContext());
  const owner = await signUpPerson(t, 'Cora');
  cookie = owner.cookie;
  const created = await t.call('POST', '/v1/api-keys', {
    headers: { cookie },
    body: { name: 'Sync', scopes: ['read:customers', 'read:request-logs'] },
  });
  assert.equal(created.status, 201, created.text);
  key = created.body.data.secret;
  const app = await registerApp(t, cookie, {
    name: 'Connected',
    redirect_uris: ['https://app.example.test/callback'],
    scopes: ['read:customers'],
    client_credentials: true,
  });
  const config = await discoverAt(base, app.id, oidc.ClientSecretBasic(app.client_secret!));
  const { access_token } = await oidc.clientCredentialsGrant(config, { scope: 'read:customers' });

  const calls = {
    api_key: { key },
    oauth: { key: access_token },
    session: { headers: { cookie } },
    // A key's failed call is logged too, and counts as an error of its kind.
    api_key_missing: { key },
  };
  for (const [name, options] of Object.entries(calls)) {
    const path = name === 'api_key_missing' ? '/v1/customers/cus_missing' : '/v1/customers';
    const res = await t.call('GET', path, options);
    assert.equal(res.status, name === 'api_key_missing' ? 404 : 200, `${name}: ${res.text}`);
    requestIds[name] = res.headers.get('x-request-id')!;
  }
  const anonymous = await t.call('GET', '/v1/customers');
  assert.equal(anonymous.status, 401);
  requestIds.none = anonymous.headers.get('x-request-id')!;
  await t.runtime.use(requestLogWriter).flush();
});
after(async () => closeServer());

const logs = async (query: string) => {
  const res = await t.call('GET', `/v1/request-logs?limit=100&route=/v1/customers&${query}`, { headers: { cookie } });
  assert.equal(res.status, 200, res.text);
  return res.body.data as { id: string; credential: string }[];
};

describe('the request log records the kind of credential', () => {
  test('an API key, an OAuth token and a session cookie are each recorded as their kind', async () => {
    for (const kind of ['api_key', 'oauth', 'session'] as const) {
      const entry = await t.call('GET', `/v1/request-logs/${requestIds[kind]}`, { headers: { cookie } });
      assert.equal(entry.status, 200, entry.text);
      assert.equal(entry.body.data.credential, kind);
    }
  });

  test('a request without a credential belongs to no account, so no log holds it', async () => {
    const rows = await systemQuery(t.db, {
      sql: 'SELECT 1 FROM request_logs WHERE id = $1',
      parameters: [requestIds.none],
    });
    assert.equal(rows.length, 0);
  });

  test('credential filters the list with eq, ne and in', async () => {
    const ids = (rows: { id: string }[]) => new Set(rows.map((row) => row.id));
    const byKey = await logs('credential=api_key');
    assert.deepEqual(ids(byKey), new Set([requestIds.api_key]));
    const integrations = ids(await logs('credential[in]=api_key,oauth'));
    assert.deepEqual(integrations, new Set([requestIds.api_key, requestIds.oauth]));
    const notSession = await logs('credential[ne]=session');
    assert.ok(notSession.every((row) => row.credential !== 'session'));
    assert.ok(ids(notSession).has(requestIds.oauth));
    const sessions = await logs('credential=session');
    assert.ok(ids(sessions).has(requestIds.session));
    assert.ok(sessions.every((row) => row.credential === 'session'));
  });

  test('an unknown kind is a 400 naming it, in the list and in usage', async () => {
    const list = await t.call('GET', '/v1/request-logs?credential[in]=api_key,cookie', { headers: { cookie } });
    assert.equal(list.status, 400, list.text);
    const usage = await t.call('GET', '/v1/usage?credential=api_key,cookie', { headers: { cookie } });
    assert.equal(usage.status, 400, usage.text);
    assert.match(usage.text, /credential/);
  });
});

describe('usage and errors filter by kind of credential', () => {
  const usage = async (query: string) => {
    const res = await t.call('GET', `/v1/usage?${query}`, { headers: { cookie } });
    assert.equal(res.status, 200, res.text);
    return res.body.data;
  };

  test('integrations only count the key and the OAuth app; all traffic counts the portal too', async () => {
    await t.runtime.use(requestLogWriter).flush();
    const all = await usage('group_by=credential');
    const integrations = await usage('credential=api_key,oauth&group_by=credential');
    const byKind = (answer: any) => {
      const counts: Record<string, number> = {};
      for (const bucket of answer.buckets) counts[bucket.group] = (counts[bucket.group] ?? 0) + bucket.requests;
      return counts;
    };
    assert.deepEqual(byKind(integrations), { api_key: 2, oauth: 1 });
    assert.equal(integrations.summary.requests, 3);
    assert.equal(integrations.summary.client_errors, 1);
    const everything = byKind(all);
    assert.equal(everything.api_key, 2);
    assert.equal(everything.oauth, 1);
    // The session's own calls: sign-up's key and app creation, the list above and the log reads.
    assert.ok(everything.session! > 1, JSON.stringify(everything));
    assert.equal(
      all.summary.requests,
      Object.values(everything).reduce((a, b) => a + b, 0),
    );
    assert.equal((await usage('credential=session')).summary.requests, everything.session);
  });

  test('errors take the same filter', async () => {
    const res = await t.call('GET', '/v1/errors?credential=oauth,session', { headers: { cookie } });
    assert.equal(res.status, 200, res.text);
    const keyOnly = await t.call('GET', '/v1/errors?credential=api_key', { headers: { cookie } });
    const count = (body: any) => body.data.groups.reduce((sum: number, g: any) => sum + g.count, 0);
    assert.equal(count(keyOnly.body), 1, keyOnly.text);
  });
});

describe('migration 0029_request_log_credential', () => {
  const title = 'on a log made before it, every partition gains the column; rows with a key say api_key, others null';
  test(title, async () => {
    const { ANALYTICS_MIGRATIONS } = await import('../src/analytics/analytics-migrations.ts');
    const run = (sql: string, parameters: unknown[] = []) => systemQuery(t.db, { sql, parameters });
    const [account] = await run('SELECT account_id FROM request_logs WHERE id = $1', [requestIds.api_key]);
    // The table as it was: no column, one row with a key and one without (a session's or a token's).
    await run('CREATE TABLE request_logs_before AS SELECT * FROM request_logs');
    try {
      await run('ALTER TABLE request_logs DROP COLUMN credential');
      const copy = (id: string, keyId: string | null) =>
        run(
          `INSERT INTO request_logs (id, account_id, api_key_id, method, path, status, duration_us, created_at,
             updated_at) VALUES ($1, $2, $3, 'GET', '/v1/x', 200, 1, now() - interval '1 minute', now())`,
          [id, account!.account_id, keyId],
        );
      await copy('req_before_key', 'key_before');
      await copy('req_before_session', null);
      for (const statement of ANALYTICS_MIGRATIONS[0]!.statements) await run(statement);
      const rows = await run(
        `SELECT id, credential FROM request_logs WHERE id IN ('req_before_key', 'req_before_session') ORDER BY id`,
      );
      assert.deepEqual(
        rows.map((row) => [row.id, row.credential]),
        [
          ['req_before_key', 'api_key'],
          ['req_before_session', null],
        ],
      );
      // Each day's partition has it (inherited from the parent).
      const partitions = await run(
        `SELECT count(*)::int AS missing FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
           WHERE p.relname = 'request_logs' AND NOT EXISTS (SELECT 1 FROM pg_attribute a
             WHERE a.attrelid = i.inhrelid AND a.attname = 'credential' AND NOT a.attisdropped)`,
      );
      assert.equal(partitions[0]!.missing, 0);
    } finally {
      // Put the rows of the other tests back as they were (the dropped column lost their kinds).
      const columns = (await run('SELECT * FROM request_logs_before LIMIT 1')).flatMap((row) => Object.keys(row));
      await run(`DELETE FROM request_logs`);
      await run(`INSERT INTO request_logs (${columns}) SELECT ${columns} FROM request_logs_before`);
      await run('DROP TABLE request_logs_before');
    }
  });
});
