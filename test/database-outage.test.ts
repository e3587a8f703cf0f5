// A database outage: while the database is unreachable (refused, reset or terminated
// connections, pool timeouts, a server shutting down or starting up, PGlite closed) every call
// answers 503 `database_unavailable` with Retry-After, never a 500 and never SQL text; when the
// database is back, calls succeed again with nothing to restart. On PostgreSQL (DATABASE_URL) the
// outage is real: the pool reaches the server through a TCP proxy that the test stops and starts.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { outage, OUTAGE_ERRORS } from './support/dying-database.ts';
import { signUp } from './support/members.ts';
import { freePort } from './support/real-port.ts';
import { connectPostgres } from '../src/db/connect-postgres.ts';
import { migrate } from '../src/db/migrate.ts';
import { createAccount } from '../src/auth/accounts.ts';
import { SecretBox } from '../src/platform/secret-box.ts';
import { createFieldline, fieldlineApi } from '../src/main.ts';
import { isDatabaseUnavailable } from '../src/db/unavailable.ts';

/** The documented answer to a call made while the database is away. */
function assertUnavailable(res: { status: number; headers: Headers; body: any; text: string }, cause?: string) {
  const problem = assertProblem(res, 503, 'database_unavailable');
  const retryAfter = Number(res.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 5, `Retry-After ${res.headers.get('retry-after')}`);
  assert.doesNotMatch(res.text, /\b(SELECT|INSERT|UPDATE|BEGIN|COMMIT|set_config)\b/, 'no SQL text');
  if (cause) assert.ok(!res.text.includes(cause), 'the driver message stays in the log');
  return problem;
}

describe('a database outage (simulated errors, every engine)', () => {
  const database: { current?: ReturnType<typeof outage> } = {};
  let t: TestContext;
  let account: TestAccount;
  let cookie: string;

  before(async () => {
    t = await createTestContext({
      wrapDatabase: (db) => {
        database.current = outage(db);
        return database.current.db;
      },
    });
    account = await t.newAccount('Outage Co');
    cookie = (await signUp(t, 'Ada')).cookie;
    // Warm: the key and the session are cached, as on a busy node when the database goes.
    assert.equal((await t.call('GET', '/v1/customers', { key: account.key })).status, 200);
    assert.equal((await t.call('GET', '/v1/customers', { headers: { cookie } })).status, 200);
  });
  after(async () => {
    database.current!.up();
    await t.close();
  });

  for (const [name, makeError] of Object.entries(OUTAGE_ERRORS)) {
    test(`${name}: 503 database_unavailable with Retry-After, then calls succeed again`, async () => {
      const outageNow = database.current!;
      const error = makeError();
      outageNow.down(error);
      const failuresBefore = outageNow.failures;
      try {
        assertUnavailable(await t.call('GET', '/v1/customers', { key: account.key }), error.message);
        assertUnavailable(
          await t.call('POST', '/v1/customers', { key: account.key, body: { name: 'Lost' } }),
          error.message,
        );
        assert.ok(outageNow.failures > failuresBefore, 'the calls reached the failing database');
      } finally {
        outageNow.up();
      }
      assert.equal((await t.call('GET', '/v1/customers', { key: account.key })).status, 200);
    });
  }

  test('a credential not cached yet and a session cookie meet the outage as 503, not 401', async () => {
    const fresh = await t.newKey(account.id, ['read:*']);
    database.current!.down(OUTAGE_ERRORS['connection refused']());
    try {
      assertUnavailable(await t.call('GET', '/v1/customers', { key: fresh }));
      assertUnavailable(await t.call('GET', '/v1/customers', { headers: { cookie } }));
      const health = await t.call('GET', '/v1/health');
      assert.equal(health.status, 503);
    } finally {
      database.current!.up();
    }
    assert.equal((await t.call('GET', '/v1/customers', { key: fresh })).status, 200);
    assert.equal((await t.call('GET', '/v1/customers', { headers: { cookie } })).status, 200);
  });

  test('a write refused during the outage left nothing behind; the same write succeeds after', async () => {
    const name = `Retried ${randomBytes(4).toString('hex')}`;
    database.current!.down(OUTAGE_ERRORS['connection terminated']());
    try {
      assertUnavailable(await t.call('POST', '/v1/customers', { key: account.key, body: { name } }));
    } finally {
      database.current!.up();
    }
    const created = await t.call('POST', '/v1/customers', { key: account.key, body: { name } });
    assert.equal(created.status, 201, created.text);
    const found = await t.call('GET', `/v1/customers?q=${encodeURIComponent(name)}`, { key: account.key });
    assert.equal(found.body.data.length, 1);
  });
});

test('only failures to reach the database count as its outage', () => {
  for (const makeError of Object.values(OUTAGE_ERRORS)) assert.ok(isDatabaseUnavailable(makeError()));
  const refused = OUTAGE_ERRORS['connection refused']();
  assert.ok(isDatabaseUnavailable(new AggregateError([refused, refused], 'connect failed')), 'every address refused');
  const notOutages = [
    Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }),
    Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
    new TypeError('fetch failed', { cause: refused }), // a webhook or provider call, not the database
    new Error('Connection terminated by the provider: try later'),
    null,
    'ECONNREFUSED',
  ];
  for (const error of notOutages) assert.equal(isDatabaseUnavailable(error), false, String(error));
});

/** A TCP proxy to `target` on a port of its own; `stop()` drops every connection and refuses new ones. */
async function tcpProxy(target: { host: string; port: number }) {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const start = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => socket.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.listen(port, '127.0.0.1', resolve);
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server!.close(() => resolve());
    });
  await start();
  return { port, start, stop };
}

describe(
  'a PostgreSQL outage (the server unreachable through a stopped proxy)',
  { skip: !process.env.DATABASE_URL && 'needs PostgreSQL' },
  () => {
    test('calls answer 503 while the server is unreachable and succeed by themselves once it is back', async () => {
      const url = new URL(process.env.DATABASE_URL!);
      const proxy = await tcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      const api = fieldlineApi();
      const db = await connectPostgres(proxied.toString(), 4);
      await migrate(db, api.schema);
      const { runtime, app } = createFieldline({
        api,
        db,
        secrets: new SecretBox(randomBytes(32)),
        logger: pino({ level: 'silent' }),
        options: { publicUrl: 'http://localhost:3000' },
      });
      const { api_key: key } = await createAccount(db, { name: 'Outage Co' });
      const call = async (method: string, path: string, body?: unknown) => {
        const response = await app.request(path, {
          method,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
      };
      try {
        assert.equal((await call('GET', '/v1/customers')).status, 200);
        await proxy.stop();
        // The pooled connections die (terminated, reset), then new ones are refused.
        for (let i = 0; i < 3; i++) {
          assertUnavailable(await call('GET', '/v1/customers'));
          assertUnavailable(await call('POST', '/v1/customers', { name: 'Lost' }));
        }
        await proxy.start();
        const deadline = Date.now() + 5_000;
        let answer = await call('GET', '/v1/customers');
        while (answer.status !== 200 && Date.now() < deadline) {
          assertUnavailable(answer);
          await new Promise((resolve) => setTimeout(resolve, 100));
          answer = await call('GET', '/v1/customers');
        }
        assert.equal(answer.status, 200, answer.text);
        const created = await call('POST', '/v1/customers', { name: 'After' });
        assert.equal(created.status, 201, created.text);
      } finally {
        await runtime.stop();
        await db.close();
        await proxy.stop().catch(() => undefined);
      }
    });
  },
);
