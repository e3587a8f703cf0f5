// A migrated database for a test context. PostgreSQL (DATABASE_URL, CI): the shared test
// database, migrated once by whichever suite comes first (migrate takes an advisory lock). PGlite:
// a copy of a migrated snapshot, made once per schema and machine in the temporary folder and
// loaded by every context: starting PGlite from a snapshot takes about 1 s, against about 6 s to
// initialise a data folder and migrate it.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectPglite } from '../../src/db/connect-pglite.ts';
import { connectPostgres } from '../../src/db/connect-postgres.ts';
import type { Database } from '../../src/db/database.ts';
import { migrate, type Schema } from '../../src/db/migrate.ts';
import pg from 'pg';

const snapshots = new Map<string, Promise<Blob>>();

/** The snapshot of a fresh database migrated to `schema`: read from disk, or made and kept there. */
function migratedSnapshot(schema: Schema): Promise<Blob> {
  const version = createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 16);
  let snapshot = snapshots.get(version);
  if (!snapshot) {
    snapshot = (async () => {
      const path = join(tmpdir(), `fieldline-test-pglite-${version}.tar`);
      if (existsSync(path)) return new Blob([readFileSync(path)]);
      const db = await connectPglite();
      try {
        await migrate(db, schema);
        const blob = await db.snapshot!();
        // Written aside, then renamed: a suite starting meanwhile never reads half a file.
        const partial = `${path}.${randomBytes(6).toString('hex')}`;
        writeFileSync(partial, new Uint8Array(await blob.arrayBuffer()));
        renameSync(partial, path);
        return blob;
      } finally {
        await db.close();
      }
    })();
    snapshots.set(version, snapshot);
  }
  return snapshot;
}

/**
 * `own`: a schema other suites do not share (a test's extra resources) gets a database of its
 * own on PostgreSQL, dropped at close. Migrated into the shared one, its DDL would hold every
 * table while the other suites run (and they would migrate it back): deadlocks.
 */
export async function testDatabase(schema: Schema, { own = false }: { own?: boolean } = {}): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (url && own) return ownDatabase(url, schema);
  if (url) {
    // DATABASE_DIRECT_URL: the server behind a PgBouncer of DATABASE_URL (test/pgbouncer.test.ts).
    const db = await connectPostgres(url, 4, { directUrl: process.env.DATABASE_DIRECT_URL });
    await migrate(db, schema);
    return db;
  }
  const db = await connectPglite(undefined, await migratedSnapshot(schema));
  await migrate(db, schema); // nothing to do: proves the copy is up to date
  return db;
}

async function ownDatabase(sharedUrl: string, schema: Schema): Promise<Database> {
  const url = new URL(sharedUrl);
  const name = `${url.pathname.slice(1)}_own_${randomBytes(4).toString('hex')}`;
  const admin = new URL(sharedUrl);
  admin.pathname = '/postgres';
  const administer = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await administer(`CREATE DATABASE ${name}`);
  url.pathname = `/${name}`;
  const db = await connectPostgres(url.toString(), 4);
  await migrate(db, schema);
  return {
    ...db,
    kind: db.kind,
    withConnection: db.withConnection.bind(db),
    poolStats: db.poolStats.bind(db),
    listen: db.listen.bind(db),
    async close() {
      await db.close();
      await administer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
