// Closing an account: the owner confirms with its name, every credential stops at once, and after
// the retention period the deletion job removes every row of it from every table that has an
// account_id column (counted table by table in information_schema) and its files, keeping only
// the tombstone; another account's rows do not change. An account reopened before then is kept.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { seededAccount, type SeededAccount } from './support/seeded-account.ts';
import { memberWithRole } from './support/members.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { systemQuery, systemTransaction } from '../src/db/system-query.ts';
import { prepareApiKey } from '../src/auth/api-keys.ts';
import { accountDeletionKey } from '../src/account-export/account-deletion.ts';
import { KEPT_AFTER_DELETION } from '../src/account-export/account-tables.ts';
import { exportWorkerKey } from '../src/account-export/export-worker.ts';
import { fileStorage } from '../src/storage/storage-module.ts';
import { signedInOperator } from './support/platform-operators.ts';

const DAY = 86_400_000;
let ctx: TestContext;
let closing: SeededAccount;
let neighbour: SeededAccount;

before(async () => {
  ctx = await createTestContext({ accountRetentionDays: 30 });
  closing = await seededAccount(ctx, 'Closing');
  neighbour = await seededAccount(ctx, 'Staying');
});
after(() => ctx.close());

const asOwner = (account: SeededAccount) => ({ headers: { cookie: account.ownerCookie } });
const nameOf = async (accountId: string) =>
  (await systemQuery(ctx.db, { sql: 'SELECT name FROM accounts WHERE id = $1', parameters: [accountId] }))[0]?.name;

/** Rows of the account in every table with an account_id column, by information_schema: none may be missed. */
async function rowsPerTable(accountId: string): Promise<Record<string, number>> {
  const tables = await systemQuery<{ table_name: string }>(ctx.db, {
    sql: `SELECT c.table_name FROM information_schema.columns c
            JOIN information_schema.tables t USING (table_schema, table_name)
           WHERE c.table_schema = current_schema() AND c.column_name = 'account_id' AND t.table_type = 'BASE TABLE'
           ORDER BY 1`,
    parameters: [],
  });
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [row] = await systemQuery(ctx.db, {
      sql: `SELECT count(*)::int AS n FROM "${table_name}" WHERE account_id = $1`,
      parameters: [accountId],
    });
    counts[table_name] = Number(row.n);
  }
  return counts;
}

async function filesOf(accountId: string): Promise<string[]> {
  const keys: string[] = [];
  for (const prefix of [`${accountId}/`, `reports/${accountId}/`, `account-exports/${accountId}/`])
    for await (const key of ctx.runtime.use(fileStorage).list(prefix)) keys.push(key);
  return keys;
}

describe('POST /v1/account/close', () => {
  it('is an owner’s alone, and only with the account’s name: nothing changes otherwise', async () => {
    const admin = await memberWithRole(ctx, neighbour.ownerCookie, 'admin', 'admin-of-staying');
    const name = await nameOf(neighbour.id);
    assertProblem(
      await ctx.call('POST', '/v1/account/close', { headers: { cookie: admin.cookie }, body: { confirm_name: name } }),
      403,
      'forbidden',
    );
    assertProblem(
      await ctx.call('POST', '/v1/account/close', { key: neighbour.key, body: { confirm_name: name } }),
      403,
      'forbidden',
    );
    const wrong = assertProblem(
      await ctx.call('POST', '/v1/account/close', { ...asOwner(neighbour), body: { confirm_name: `${name}!` } }),
      422,
      'validation_failed',
    );
    assert.equal(wrong.errors[0].path, 'confirm_name');
    assertProblem(
      await ctx.call('POST', '/v1/account/close', { ...asOwner(neighbour), body: {} }),
      422,
      'validation_failed',
    );
    const still = await ctx.call('GET', '/v1/customers?limit=1', { key: neighbour.key });
    assert.equal(still.status, 200, still.text);
  });
});

describe('closing, then deleting after the retention period', () => {
  let sandbox: { id: string; key: string };
  let before: Record<string, number>;
  let neighbourBefore: Record<string, number>;
  let closedAt: number;

  it('stops every credential of the account at once', async () => {
    // An archive of it, so that the archives are deleted too.
    assert.equal((await ctx.call('POST', '/v1/account/export', { ...asOwner(closing), body: {} })).status, 202);
    await ctx.runtime.use(exportWorkerKey).run(Date.now(), [closing.id]);
    // Its test-mode sandbox, with data of its own: it goes with the account.
    const testKey = prepareApiKey({ accountId: closing.id, name: 'test', mode: 'test', scopes: ['write:*', 'read:*'] });
    await systemTransaction(ctx.db, testKey.statements);
    const made = await ctx.call('POST', '/v1/customers', { key: testKey.secret, body: { name: 'Test customer' } });
    assert.equal(made.status, 201, made.text);
    const [linked] = await systemQuery(ctx.db, {
      sql: 'SELECT id FROM accounts WHERE sandbox_of = $1',
      parameters: [closing.id],
    });
    sandbox = { id: linked.id, key: testKey.secret };
    before = await rowsPerTable(closing.id);
    neighbourBefore = await rowsPerTable(neighbour.id);
    assert.ok((await filesOf(closing.id)).length >= 2, 'a photo and an archive');

    const closed = await ctx.call('POST', '/v1/account/close', {
      ...asOwner(closing),
      body: { confirm_name: await nameOf(closing.id) },
    });
    assert.equal(closed.status, 200, closed.text);
    assert.equal(closed.body.data.status, 'closed');
    closedAt = Date.parse(closed.body.data.closed_at);
    assert.equal(Date.parse(closed.body.data.deletes_after), closedAt + 30 * DAY);
    assertProblem(await ctx.call('GET', '/v1/customers', { key: closing.key }), 403, 'account_suspended');
    assertProblem(await ctx.call('GET', '/v1/customers', { key: sandbox.key }), 403, 'account_suspended');
    assertProblem(await ctx.call('GET', '/v1/account', asOwner(closing)), 403, 'account_suspended');
  });

  it('keeps everything during the retention period', async () => {
    const deletion = ctx.runtime.use(accountDeletionKey);
    assert.deepEqual(await deletion.sweep(closedAt + 29 * DAY, [closing.id]), []);
    const during = await rowsPerTable(closing.id);
    // Closing itself may add rows (its audit entry): nothing is gone.
    for (const [table, n] of Object.entries(before)) assert.ok(during[table] >= n, `${table}: ${during[table]} < ${n}`);
    assert.equal(during.closed_accounts, 1);
  });

  it('then deletes every row of it in every table, and its files, keeping only the tombstone', async () => {
    const deletion = ctx.runtime.use(accountDeletionKey);
    assert.deepEqual(await deletion.sweep(closedAt + 31 * DAY, [closing.id]), [closing.id]);
    const after = await rowsPerTable(closing.id);
    const seeded = Object.entries(before).filter(([, n]) => n > 0);
    assert.ok(seeded.length > 40, `only ${seeded.length} tables held rows of the account`);
    const left = Object.entries(after).filter(([table, n]) => n > 0 && !(table in KEPT_AFTER_DELETION));
    assert.deepEqual(left, [], 'rows left after the deletion');
    assert.equal(after.closed_accounts, 1);
    // What stays of it in the operators' log is the deletion's own record.
    const platform = await systemQuery(ctx.db, {
      sql: 'SELECT action, operator_id, summary FROM platform_audit_entries WHERE account_id = $1',
      parameters: [closing.id],
    });
    assert.deepEqual(
      platform.map((e) => [e.action, e.operator_id]),
      [['account.deleted', null]],
    );
    const summary = typeof platform[0].summary === 'string' ? JSON.parse(platform[0].summary) : platform[0].summary;
    // Its customers and its sandbox's one.
    assert.equal(summary.rows_deleted.customers, before.customers + 1);
    assert.deepEqual(summary.accounts, [closing.id, sandbox.id]);
    const [tombstone] = await systemQuery(ctx.db, {
      sql: 'SELECT * FROM closed_accounts WHERE account_id = $1',
      parameters: [closing.id],
    });
    assert.deepEqual(Object.keys(tombstone).sort(), ['account_id', 'closed_at', 'closed_by', 'deleted_at']);
    assert.ok(tombstone.deleted_at);
    assert.equal(await nameOf(closing.id), undefined, 'the account row itself');
    assert.equal(await nameOf(sandbox.id), undefined, 'its sandbox');
    const sandboxLeft = Object.entries(await rowsPerTable(sandbox.id)).filter(([, n]) => n > 0);
    assert.deepEqual(sandboxLeft, [], 'rows of its sandbox left');
    assert.deepEqual(await filesOf(closing.id), []);
    // Another account: every row and file as it was.
    assert.deepEqual(await rowsPerTable(neighbour.id), neighbourBefore);
    assert.ok((await filesOf(neighbour.id)).includes(`${neighbour.id}/${neighbour.photo.id}`));
    // Once is enough: the next round finds nothing to do.
    assert.deepEqual(await deletion.sweep(closedAt + 32 * DAY, [closing.id]), []);
  });
});

describe('reopening before the deletion', () => {
  it('an operator resumes a closed account: credentials work again, and nothing is deleted', async () => {
    const reopened = await seededAccount(ctx, 'Reopened');
    const operator = await signedInOperator(ctx);
    const closed = await ctx.call('POST', '/v1/account/close', {
      ...asOwner(reopened),
      body: { confirm_name: await nameOf(reopened.id) },
    });
    assert.equal(closed.status, 200, closed.text);
    const resumed = await ctx.call('POST', `/v1/platform/accounts/${reopened.id}/resume`, {
      key: operator.token,
      body: {},
    });
    assert.equal(resumed.status, 200, resumed.text);
    assert.equal((await ctx.call('GET', '/v1/customers?limit=1', { key: reopened.key })).status, 200);
    const rows = await rowsPerTable(reopened.id);
    const deletion = ctx.runtime.use(accountDeletionKey);
    assert.deepEqual(await deletion.sweep(Date.parse(closed.body.data.closed_at) + 40 * DAY, [reopened.id]), []);
    const after = await rowsPerTable(reopened.id);
    assert.equal(after.closed_accounts, 0, 'its tombstone is removed');
    for (const [table, n] of Object.entries(rows))
      if (table !== 'closed_accounts') assert.ok(after[table] >= n, `${table}: ${after[table]} < ${n}`);
  });

  it('an account an operator closed is deleted after the retention period like one its owner closed', async () => {
    const account = await seededAccount(ctx, 'OperatorClosed');
    const operator = await signedInOperator(ctx);
    const patched = await ctx.call('PATCH', `/v1/platform/accounts/${account.id}`, {
      key: operator.token,
      body: { status: 'closed' },
    });
    assert.equal(patched.status, 200, patched.text);
    const deletion = ctx.runtime.use(accountDeletionKey);
    assert.deepEqual(await deletion.sweep(Date.now() + DAY, [account.id]), []);
    assert.deepEqual(await deletion.sweep(Date.now() + 31 * DAY, [account.id]), [account.id]);
    const left = Object.entries(await rowsPerTable(account.id)).filter(
      ([t, n]) => n > 0 && !(t in KEPT_AFTER_DELETION),
    );
    assert.deepEqual(left, []);
  });
});
