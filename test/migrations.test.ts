// Upgrading a database made by an earlier release keeps what it holds working: keys issued
// before their secrets moved to api_key_secrets (0006) still authenticate after the upgrade,
// and a key revoked before it stays revoked. Always on a fresh in-memory PGlite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connectPglite } from '../src/db/connect-pglite.ts';
import { migrate } from '../src/db/migrate.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { ApiKeyVerifier } from '../src/auth/api-keys.ts';
import { fieldlineApi } from '../src/main.ts';

test('keys issued before 0006_managed_api_keys keep working after it, and revoked ones stay revoked', async () => {
  const db = await connectPglite();
  try {
    // The database as release 0005 left it.
    const { migrations } = fieldlineApi().schema;
    const earlier = migrations.slice(
      0,
      migrations.findIndex((m) => m.id === '0006_managed_api_keys'),
    );
    await db.withConnection((connection) =>
      connection.run(
        [
          'CREATE TABLE fieldline_migrations (id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz ' +
            'NOT NULL DEFAULT now())',
          ...earlier.flatMap((m) => [
            ...m.statements,
            `INSERT INTO fieldline_migrations (id, checksum) VALUES ('${m.id}', 'v1')`,
          ]),
        ].join(';\n'),
      ),
    );
    const live = 'fl_test_AAAAAAAAAAAA' + 'b'.repeat(32);
    const revoked = 'fl_live_CCCCCCCCCCCC' + 'd'.repeat(32);
    const hash = (secret: string) => `\\x${createHash('sha256').update(secret).digest('hex')}`;
    await systemQuery(db, {
      sql: "INSERT INTO accounts (id, name, created_at, updated_at) VALUES ('acct_old', 'Old Co', now(), now())",
      parameters: [],
    });
    for (const [id, secret, revokedAt] of [
      ['key_live', live, null],
      ['key_revoked', revoked, '2026-01-01T00:00:00Z'],
    ] as const) {
      await systemQuery(db, {
        sql: `INSERT INTO api_keys (id, account_id, name, mode, lookup, secret_hash, last4, scopes, created_at,
              revoked_at)
              VALUES ($1, 'acct_old', 'Old key', $2, $3, $4, $5, '{read:*}', '2026-01-01T00:00:00Z', $6)`,
        parameters: [id, secret.slice(3, 7), secret.slice(8, 20), hash(secret), secret.slice(-4), revokedAt],
      });
    }

    const report = await migrate(db, fieldlineApi().schema);
    assert.ok(report.applied.includes('0006_managed_api_keys'));

    const verifier = new ApiKeyVerifier(db);
    assert.equal((await verifier.verify(live))?.keyId, 'key_live');
    assert.equal(await verifier.verify(revoked), null);
    const rows = await systemQuery(db, {
      sql: 'SELECT id, prefix, last4, status, updated_at FROM api_keys ORDER BY id',
      parameters: [],
    });
    assert.deepEqual(
      rows.map((r) => [r.id, r.prefix, r.last4, r.status]),
      [
        ['key_live', live.slice(0, 20), live.slice(-4), 'active'],
        ['key_revoked', revoked.slice(0, 20), revoked.slice(-4), 'revoked'],
      ],
    );
    assert.ok(
      rows.every((r) => r.updated_at),
      'updated_at is filled in',
    );
  } finally {
    await db.close();
  }
});

test('a changed resource schema rebuilds a search column only when what it stores changed', async () => {
  const db = await connectPglite();
  const sql = (text: string) => systemQuery(db, { sql: text, parameters: [] });
  const storage = async () =>
    (await sql("SELECT relfilenode::text AS file FROM pg_class WHERE relname = 'customers'"))[0].file as string;
  const found = async (term: string) =>
    (await sql(`SELECT id FROM customers WHERE search_vector @@ fieldline_search_query('${term}')`)).map((r) => r.id);
  try {
    const schema = fieldlineApi().schema;
    await migrate(db, schema);
    await sql("INSERT INTO accounts (id, name, created_at, updated_at) VALUES ('acct_s', 'S', now(), now())");
    await sql(
      `INSERT INTO customers (id, account_id, name, status, tags, created_at, updated_at)
       VALUES ('cus_s', 'acct_s', 'Ada Lovelace', 'active', '{}', now(), now())`,
    );
    const before = await storage();

    // Another resource's statements changed: every statement runs again, the customers table stays.
    const changed = {
      ...schema,
      resources: [...schema.resources, 'CREATE INDEX IF NOT EXISTS x_idx ON accounts (name)'],
    };
    assert.deepEqual((await migrate(db, changed)).applied, ['resource_schema']);
    assert.equal(await storage(), before, 'the table was not rewritten');
    assert.deepEqual(await found('lovelace'), ['cus_s']);

    // A search document stored by an earlier release (another digest) is rebuilt once, then kept.
    await sql("COMMENT ON COLUMN customers.search_vector IS 'an earlier document'");
    await migrate(db, schema);
    const rebuilt = await storage();
    assert.notEqual(rebuilt, before, 'the column was rebuilt');
    assert.deepEqual(await found('ada'), ['cus_s']);
    const [{ n }] = await sql("SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'customers_search_idx'");
    assert.equal(n, 1, 'its index was made again');
    await migrate(db, changed);
    assert.equal(await storage(), rebuilt);
  } finally {
    await db.close();
  }
});

test("a field's declared default is its column's default too, for writers in plain SQL", async () => {
  const db = await connectPglite();
  try {
    await migrate(db, fieldlineApi().schema);
    const defaults = await systemQuery(db, {
      sql: `SELECT table_name || '.' || column_name AS name, column_default FROM information_schema.columns
             WHERE (table_name, column_name) IN (('events', 'livemode'), ('tickets', 'priority'), ('customers', 'tags'))
             ORDER BY 1`,
      parameters: [],
    });
    assert.deepEqual(
      defaults.map((row) => [row.name, row.column_default]),
      [
        ['customers.tags', "'{}'::text[]"],
        ['events.livemode', 'true'],
        ['tickets.priority', "'normal'::text"],
      ],
    );
  } finally {
    await db.close();
  }
});
