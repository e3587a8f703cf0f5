// Fieldline behind PgBouncer in transaction pooling mode: each transaction may get another server
// connection, so nothing may rely on a session. Proved here: the tenant transaction's role and
// `app.account_id` (SET LOCAL) hold across its round trips while other clients' transactions
// interleave on the same server connections, and leak into nothing after it; migrations take no
// session lock; and the tenancy suites pass with DATABASE_URL pointing at the bouncer (the LISTEN
// session, which a bouncer cannot carry, goes to DATABASE_DIRECT_URL). PostgreSQL pass only.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { connectPostgres } from '../src/db/connect-postgres.ts';
import type { Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { TENANT_ROLE, withTenantTransaction, type TenantTransaction } from '../src/db/tenant-transaction.ts';
import { fieldlineApi } from '../src/main.ts';
import { pgbouncerMissing, startPgBouncer, type RunningPgBouncer } from './support/pgbouncer.ts';

const databaseUrl = process.env.DATABASE_URL;
const missing = pgbouncerMissing();
if (databaseUrl && missing && process.env.FIELDLINE_REQUIRE_PGBOUNCER === '1')
  throw new Error(`FIELDLINE_REQUIRE_PGBOUNCER=1 but ${missing}`);
const skip = !databaseUrl ? 'PgBouncer fronts a PostgreSQL server: runs with DATABASE_URL set' : (missing ?? false);

/** The suites whose proofs must hold through the bouncer. */
const TENANCY_SUITES = ['test/tenancy.test.ts', 'test/customer-tenancy.test.ts'];

describe('through PgBouncer (pool_mode=transaction)', { skip }, () => {
  let small: RunningPgBouncer;
  let db: Database;

  before(async () => {
    // Two server connections for every client: transactions of different clients must share them.
    small = await startPgBouncer(databaseUrl!, { poolSize: 2 });
    db = await connectPostgres(small.url, 6, { directUrl: databaseUrl });
  });

  after(async () => {
    await db?.close();
    await small?.stop();
  });

  test('clients share server connections (the bouncer really pools by transaction)', async () => {
    const clients = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const client = new pg.Client({ connectionString: small.url });
        await client.connect();
        return client;
      }),
    );
    try {
      const pids = new Set<number>();
      for (let round = 0; round < 3; round++)
        for (const client of clients) pids.add((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
      assert.ok(pids.size <= 2, `4 clients used ${pids.size} server connections`);
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });

  test('migrations run through the bouncer, twice, and leave no advisory lock held', async () => {
    const schema = fieldlineApi().schema;
    await migrate(db, schema);
    // Other clients keep the two server connections busy, so a session's consecutive statements
    // land on different ones (a session lock would then be left held by one of them).
    let migrating = true;
    const load = Array.from({ length: 3 }, async () => {
      while (migrating) await systemQuery(db, { sql: 'SELECT pg_sleep(0.002)', parameters: [] });
    });
    try {
      for (let i = 0; i < 5; i++) assert.deepEqual((await migrate(db, schema)).applied, []);
    } finally {
      migrating = false;
      await Promise.all(load);
    }
    const direct = new pg.Client({ connectionString: databaseUrl });
    await direct.connect();
    try {
      const { rows } = await direct.query(
        "SELECT count(*)::int AS held FROM pg_locks WHERE locktype = 'advisory' AND database = " +
          '(SELECT oid FROM pg_database WHERE datname = current_database()) AND objid = 7216001',
      );
      assert.equal(rows[0].held, 0);
    } finally {
      await direct.end();
    }
  });

  test('a tenant transaction keeps its role and account across round trips while others interleave', async () => {
    const seen = (tx: TenantTransaction) =>
      tx.query({
        sql: "SELECT current_user AS role, current_setting('app.account_id', true) AS account, pg_backend_pid() AS pid",
        parameters: [],
      });
    const accounts = Array.from({ length: 6 }, (_, i) => `acct_pgbouncer_${i}`);
    const results = await Promise.all(
      accounts.map((account) =>
        withTenantTransaction(db, account, async (tx) => {
          const rows = [];
          for (let step = 0; step < 4; step++) {
            rows.push((await seen(tx))[0]);
            await new Promise((resolve) => setTimeout(resolve, 5)); // let the other clients run
          }
          return rows;
        }),
      ),
    );
    results.forEach((rows, i) => {
      for (const row of rows) assert.deepEqual([row.role, row.account], [TENANT_ROLE, accounts[i]]);
      assert.equal(new Set(rows.map((row) => row.pid)).size, 1, 'one transaction, one server connection');
    });
    // Afterwards the same server connections serve statements outside any tenant: nothing leaked.
    for (let i = 0; i < 6; i++) {
      const [row] = await systemQuery(db, {
        sql: "SELECT current_user AS role, coalesce(current_setting('app.account_id', true), '') AS account",
        parameters: [],
      });
      assert.deepEqual([row.role, row.account], [new URL(databaseUrl!).username || 'postgres', '']);
    }
    // Timestamps still come back in UTC ISO form (TimeZone and DateStyle follow the client).
    const [{ at }] = await systemQuery(db, {
      sql: "SELECT '2026-01-02 03:04:05+02'::timestamptz AS at",
      parameters: [],
    });
    assert.equal(at, '2026-01-02T01:04:05.000Z');
  });

  test('LISTEN goes to DATABASE_DIRECT_URL: a NOTIFY sent through the bouncer arrives', async () => {
    const received: string[] = [];
    const stop = await db.listen('fieldline_pgbouncer_test', (payload) => received.push(payload));
    try {
      await systemQuery(db, { sql: "SELECT pg_notify('fieldline_pgbouncer_test', 'hello')", parameters: [] });
      for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(received, ['hello']);
    } finally {
      await stop();
    }
  });

  test('the tenancy suites pass with DATABASE_URL pointing at a PgBouncer', async () => {
    const bouncer = await startPgBouncer(databaseUrl!, { poolSize: 10 });
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', '--test', ...TENANCY_SUITES], {
        // Without NODE_TEST_CONTEXT, which would make the child a subtest runner that runs nothing.
        env: {
          ...process.env,
          NODE_TEST_CONTEXT: undefined,
          DATABASE_URL: bouncer.url,
          DATABASE_DIRECT_URL: databaseUrl,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      const tail = output.split('\n').slice(-40).join('\n');
      assert.equal(code, 0, `${TENANCY_SUITES.join(' ')} through PgBouncer:\n${tail}\n${bouncer.log().slice(-2000)}`);
      assert.match(output, /# fail 0/);
      assert.doesNotMatch(output, /# pass 0\b/);
    } finally {
      await bouncer.stop();
    }
  });
});
