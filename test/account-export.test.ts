// Account export: an owner's archive holds every table with the account's rows (exact counts,
// against the database), its stored files, and no secret; it is an owner's alone, and another
// account's export is a 404.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { unzipSync, strFromU8 } from 'fflate';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { seededAccount, type SeededAccount } from './support/seeded-account.ts';
import { memberWithRole } from './support/members.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { accountTables } from '../src/account-export/account-tables.ts';
import { exportWorkerKey } from '../src/account-export/export-worker.ts';

let ctx: TestContext;
let a: SeededAccount;
let b: SeededAccount;

before(async () => {
  ctx = await createTestContext();
  a = await seededAccount(ctx, 'Exporter');
  b = await seededAccount(ctx, 'Neighbour');
});
after(() => ctx.close());

const asOwner = (account: SeededAccount) => ({ headers: { cookie: account.ownerCookie } });

async function exported(account: SeededAccount) {
  const asked = await ctx.call('POST', '/v1/account/export', { ...asOwner(account), body: {} });
  assert.equal(asked.status, 202, asked.text);
  assert.equal(asked.body.data.status, 'queued');
  assert.equal(asked.headers.get('location'), `/v1/account/exports/${asked.body.data.id}`);
  await ctx.runtime.use(exportWorkerKey).run(Date.now(), [account.id]);
  const done = await ctx.call('GET', `/v1/account/exports/${asked.body.data.id}`, asOwner(account));
  assert.equal(done.status, 200, done.text);
  assert.equal(done.body.data.status, 'succeeded', done.text);
  return done.body.data;
}

async function download(account: SeededAccount, id: string) {
  const response = await ctx.app.request(`/v1/account/exports/${id}/download`, asOwner(account));
  return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** The account's rows per table, counted in the database. */
async function rowsPerTable(accountId: string): Promise<Record<string, number>> {
  const tables = await ctx.db.withConnection((connection) => accountTables(connection));
  const counts: Record<string, number> = {};
  for (const { table, accountColumn } of tables) {
    const [row] = await systemQuery(ctx.db, {
      sql: `SELECT count(*)::int AS n FROM "${table}" WHERE "${accountColumn}" = $1`,
      parameters: [accountId],
    });
    counts[table] = Number(row.n);
  }
  return counts;
}

describe('POST /v1/account/export', () => {
  let archive: Record<string, Uint8Array>;
  let exp: Record<string, any>;

  before(async () => {
    exp = await exported(a);
    const { response, bytes } = await download(a, exp.id);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/zip');
    assert.match(response.headers.get('content-disposition') ?? '', /attachment; filename="fieldline-export-aex_/);
    assert.equal(bytes.length, exp.bytes);
    archive = unzipSync(bytes);
  });

  it('holds every table with the account’s rows, with the exact counts of the database', async () => {
    const inDatabase = await rowsPerTable(a.id);
    const withRows = Object.entries(inDatabase).filter(([, n]) => n > 0);
    assert.ok(withRows.length > 40, `only ${withRows.length} tables have rows`);
    for (const [table, rows] of Object.entries(inDatabase)) {
      const file = archive[`data/${table}.ndjson`];
      assert.ok(file, `data/${table}.ndjson is missing`);
      const lines = strFromU8(file).split('\n').filter(Boolean);
      // The download's own audit entry came after the archive was made.
      const since = table === 'audit_log' ? 1 : 0;
      assert.equal(lines.length, rows - since, `${table}: ${lines.length} of ${rows} rows`);
      for (const line of lines) assert.equal(JSON.parse(line).account_id ?? a.id, a.id, `${table}: another account`);
      assert.equal(exp.counts[table], lines.length, `${table}: the export's counts`);
    }
    const manifest = JSON.parse(strFromU8(archive['manifest.json']));
    assert.equal(manifest.account_id, a.id);
    assert.equal(manifest.files, exp.file_count);
  });

  it('holds a row of every collection the API creates', () => {
    for (const resource of ctx.registry.resources.filter((r) => r.operations.has('create'))) {
      const file = archive[`data/${resource.table}.ndjson`];
      assert.ok(file && strFromU8(file).trim().length > 0, `${resource.collection}: no rows in the archive`);
    }
  });

  it('holds the stored files, byte for byte', () => {
    assert.deepEqual(Buffer.from(archive[`files/${a.id}/${a.photo.id}`]), a.photo.bytes);
    assert.equal(exp.file_count, Object.keys(archive).filter((name) => name.startsWith('files/')).length);
    assert.ok(!Object.keys(archive).some((name) => name.includes(b.id)), 'another account’s file');
  });

  it('holds no secret: key secrets and hashes, signing secrets sealed or plain, password hashes', async () => {
    const text = Object.values(archive)
      .map((bytes) => Buffer.from(bytes).toString('latin1'))
      .join('\n');
    const [sealed] = await systemQuery(ctx.db, {
      sql: 'SELECT secret_sealed FROM webhook_endpoint_secrets WHERE account_id = $1',
      parameters: [a.id],
    });
    const [hash] = await systemQuery(ctx.db, {
      sql: `SELECT encode(secret_hash, 'hex') AS hex, encode(secret_hash, 'base64') AS b64 FROM api_key_secrets
             WHERE account_id = $1 LIMIT 1`,
      parameters: [a.id],
    });
    const [password] = await systemQuery(ctx.db, {
      sql: `SELECT c.password FROM credentials c JOIN users u ON u.person_id = c.person_id
             WHERE u.account_id = $1 AND c.password IS NOT NULL`,
      parameters: [a.id],
    });
    for (const secret of [
      a.key,
      a.keySha256,
      hash.hex,
      hash.b64,
      a.webhookSecret,
      sealed.secret_sealed,
      password.password,
    ])
      assert.ok(!text.includes(secret), `the archive holds a secret: ${secret.slice(0, 12)}...`);
    assert.ok(!/whsec_|fl_live_[0-9A-Za-z]{20}/.test(text), 'a webhook or key secret');
    const manifest = JSON.parse(strFromU8(archive['manifest.json']));
    assert.ok(manifest.withheld_columns.api_key_secrets.includes('secret_hash'));
    assert.ok(manifest.withheld_columns.webhook_endpoint_secrets.includes('secret_sealed'));
  });

  it('asking and every download are in the audit trail, with the owner as actor', async () => {
    const entries = await systemQuery(ctx.db, {
      sql: `SELECT action, actor_type, resource_id FROM audit_log
             WHERE account_id = $1 AND action LIKE 'account_export.%' AND resource_id = $2 ORDER BY created_at, id`,
      parameters: [a.id, exp.id],
    });
    assert.deepEqual(
      entries.map((e) => [e.action, e.actor_type]),
      [
        ['account_export.created', 'member'],
        ['account_export.downloaded', 'member'],
      ],
    );
  });

  it('another account’s export is a 404, to its owner as to anyone', async () => {
    for (const path of [`/v1/account/exports/${exp.id}`, `/v1/account/exports/${exp.id}/download`])
      assertProblem(await ctx.call('GET', path, asOwner(b)), 404, 'not_found');
    assertProblem(await ctx.call('GET', '/v1/account/exports/aex_nope', asOwner(a)), 404, 'not_found');
  });
});

describe('who may export', () => {
  it('a member without the owner role, an admin included, is refused (403) and nothing is queued', async () => {
    const exp = await exported(a);
    // An admin holds every scope, the office role not write:account: both are refused.
    for (const [role, code] of [
      ['admin', 'forbidden'],
      ['office', 'insufficient_scope'],
    ] as const) {
      const member = await memberWithRole(ctx, a.ownerCookie, role, `${role}-of-a`);
      const headers = { cookie: member.cookie };
      assertProblem(await ctx.call('POST', '/v1/account/export', { headers, body: {} }), 403, code);
      assertProblem(await ctx.call('GET', `/v1/account/exports/${exp.id}`, { headers }), 403, 'forbidden');
      assertProblem(await ctx.call('GET', `/v1/account/exports/${exp.id}/download`, { headers }), 403, 'forbidden');
    }
    // A key holds no role: write:* is not enough to take the account's data away.
    assertProblem(await ctx.call('POST', '/v1/account/export', { key: a.key, body: {} }), 403, 'forbidden');
    const [queued] = await systemQuery(ctx.db, {
      sql: `SELECT count(*)::int AS n FROM account_exports WHERE account_id = $1 AND status = 'queued'`,
      parameters: [a.id],
    });
    assert.equal(Number(queued.n), 0);
  });

  it('an export not yet made cannot be downloaded (409), and unknown body members are refused (422)', async () => {
    const asked = await ctx.call('POST', '/v1/account/export', { ...asOwner(b), body: {} });
    assert.equal(asked.status, 202);
    assertProblem(
      await ctx.call('GET', `/v1/account/exports/${asked.body.data.id}/download`, asOwner(b)),
      409,
      'conflict',
    );
    assertProblem(
      await ctx.call('POST', '/v1/account/export', { ...asOwner(b), body: { tables: ['customers'] } }),
      422,
      'validation_failed',
    );
  });
});
