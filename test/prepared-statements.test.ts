// Plan-stable statements (a GET by id) run as named prepared statements on PostgreSQL, behind the
// tenant preamble in the same round trip (src/db/prepared-pipeline.ts). What must hold: the rows
// are the same as through the simple protocol, row-level security still applies, the session
// is left as it was, each text is prepared once per connection (and PostgreSQL stops planning it),
// and a failure rejects, leaves nothing behind and does not poison the connection.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connectPostgres } from '../src/db/connect-postgres.ts';
import type { Database } from '../src/db/database.ts';
import type { SqlStatement } from '../src/db/inline-parameters.ts';
import { TENANT_ROLE, tenantBatch, withTenantTransaction } from '../src/db/tenant-transaction.ts';
import { selectRow } from '../src/platform/operations/row-statements.ts';
import { createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';

const url = process.env.DATABASE_URL;
const skip = !url ? 'PostgreSQL only (DATABASE_URL): PGlite runs every statement inlined' : false;

const prepared = (sql: string, ...parameters: unknown[]): SqlStatement => ({ sql, parameters, prepare: true });

describe('prepared statements on PostgreSQL', { skip }, () => {
  let ctx: TestContext;
  /** One connection, so every batch meets the statements the ones before it prepared. */
  let db: Database;
  let a: TestAccount;
  let b: TestAccount;
  let customerOfA: Record<string, any>;
  let customerOfB: Record<string, any>;
  const customers = () => ctx.registry.get('customers');

  before(async () => {
    ctx = await createTestContext();
    db = await connectPostgres(url!, 1);
    a = await ctx.newAccount('Prepared A');
    b = await ctx.newAccount('Prepared B');
    const create = async (account: TestAccount, name: string) => {
      const created = await ctx.call('POST', '/v1/customers', { key: account.key, body: { name } });
      assert.equal(created.status, 201, created.text);
      return created.body.data;
    };
    customerOfA = await create(a, 'Ada of A');
    customerOfB = await create(b, 'Bea of B');
  });

  after(async () => {
    await db?.close();
    await ctx?.close();
  });

  test('a GET by id reads the row the simple protocol reads, as the tenant, and leaves the session clean', async () => {
    const [[row]] = await tenantBatch(db, a.id, [selectRow(customers(), a.id, customerOfA.id)]);
    const [[inlined]] = await tenantBatch(db, a.id, [
      { ...selectRow(customers(), a.id, customerOfA.id), prepare: false },
    ]);
    assert.equal(row.name, 'Ada of A');
    assert.deepEqual(row, inlined);

    const [[who]] = await tenantBatch(db, a.id, [
      prepared(`SELECT current_user AS role, current_setting('app.account_id', true) AS account_id`),
    ]);
    assert.deepEqual({ ...who }, { role: TENANT_ROLE, account_id: a.id });

    // Row-level security, not only the statement's own filter: B's customer is invisible to A.
    const [visible] = await tenantBatch(db, a.id, [prepared('SELECT id FROM customers WHERE id = $1', customerOfB.id)]);
    assert.deepEqual(visible, []);
    assert.deepEqual(await tenantBatch(db, a.id, [selectRow(customers(), a.id, customerOfB.id)]), [[]]);

    const after = await db.withConnection((connection) =>
      connection.run(`SELECT current_user AS role, current_setting('app.account_id', true) AS account_id`),
    );
    assert.notEqual(after[0][0].role, TENANT_ROLE);
    assert.ok(!after[0][0].account_id, 'app.account_id ended with the implicit transaction');
  });

  test('each text is prepared once per connection, and PostgreSQL settles on a generic plan', async () => {
    const statement = selectRow(customers(), a.id, customerOfA.id);
    for (let i = 0; i < 8; i++) await tenantBatch(db, a.id, [selectRow(customers(), a.id, customerOfA.id)]);
    const [mine] = await db.withConnection((connection) =>
      connection.run(
        `SELECT count(*)::int AS statements, sum(generic_plans)::int AS generic_plans
           FROM pg_prepared_statements WHERE statement = ${`'${statement.sql.replace(/'/g, "''")}'`}`,
      ),
    );
    assert.equal(mine[0].statements, 1);
    assert.ok(mine[0].generic_plans >= 3, `generic plans: ${mine[0].generic_plans}`);
  });

  test('a failure rejects with the server error, and the connection and its statements go on', async () => {
    const divide = prepared('SELECT 10 / $1::int AS quotient', 0);
    await assert.rejects(tenantBatch(db, a.id, [divide]), { code: '22012' });
    assert.deepEqual(await tenantBatch(db, a.id, [{ ...divide, parameters: [5] }]), [[{ quotient: 2 }]]);

    // A statement that does not parse, after one that does and was new: the new one is still usable.
    const fresh = prepared('SELECT $1::int + 1 AS next', 41);
    await assert.rejects(tenantBatch(db, a.id, [fresh, prepared('SELEC nonsense')]), { code: '42601' });
    assert.deepEqual(await tenantBatch(db, a.id, [fresh]), [[{ next: 42 }]]);

    // A write that fails rolls back with the batch: nothing of it stays.
    await assert.rejects(
      tenantBatch(db, a.id, [
        prepared('UPDATE customers SET name = $1 WHERE id = $2', 'Changed', customerOfA.id),
        prepared('SELECT 1 / 0'),
      ]),
      { code: '22012' },
    );
    const [[row]] = await tenantBatch(db, a.id, [selectRow(customers(), a.id, customerOfA.id)]);
    assert.equal(row.name, 'Ada of A');
  });

  test('in a write transaction, prepared and unprepared statements commit together or not at all', async () => {
    const rename = (name: string) => prepared('UPDATE customers SET name = $1 WHERE id = $2', name, customerOfA.id);
    const note = { sql: 'UPDATE customers SET notes = $1 WHERE id = $2', parameters: ['Inlined', customerOfA.id] };
    const read = async () => (await tenantBatch(db, a.id, [selectRow(customers(), a.id, customerOfA.id)]))[0][0];

    await assert.rejects(
      withTenantTransaction(db, a.id, async (tx) => {
        tx.defer(rename('Renamed'));
        tx.defer(note);
        const [row] = await tx.query(selectRow(customers(), a.id, customerOfA.id));
        assert.deepEqual([row.name, row.notes], ['Renamed', 'Inlined'], 'the transaction sees its own writes');
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    assert.deepEqual([(await read()).name, (await read()).notes], ['Ada of A', null]);

    await withTenantTransaction(db, a.id, async (tx) => {
      tx.defer(rename('Renamed'));
      tx.defer(note);
    });
    assert.deepEqual([(await read()).name, (await read()).notes], ['Renamed', 'Inlined']);
  });
});
