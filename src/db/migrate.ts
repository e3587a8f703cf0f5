// Brings a database up to date: versioned migrations in order, then the resource schema
// (re-applied only when the declarations changed). Safe to run from several processes. The
// statements come from above (the modules and the registry): this layer only applies them.
import { createHash } from 'node:crypto';
import type { Database } from './database.ts';
import { quoteSqlString } from './inline-parameters.ts';

export interface Migration {
  id: string;
  statements: string[];
}

export interface Schema {
  /** Applied once each, in this order, recorded by id. */
  migrations: readonly Migration[];
  /** Idempotent statements for the declared resources, applied again whenever they change. */
  resources: readonly string[];
}

const MIGRATION_LOCK = 7_216_001;
const RESOURCE_SCHEMA = 'resource_schema';

export interface MigrationReport {
  applied: string[];
}

export async function migrate(db: Database, schema: Schema): Promise<MigrationReport> {
  const applied: string[] = [];
  const resourcesChecksum = createHash('sha256').update(schema.resources.join(';\n')).digest('hex');
  await db.withConnection(async (connection) => {
    // One transaction per step, each taking a transaction-scoped lock, never a session lock:
    // behind PgBouncer's transaction pooling a session's statements may reach different server
    // connections, and a session lock would stay held on one of them. Up to date (every start)
    // is one round trip.
    for (;;) {
      try {
        const results = await connection.run(`BEGIN;
          SELECT pg_advisory_xact_lock(${MIGRATION_LOCK});
          CREATE TABLE IF NOT EXISTS fieldline_migrations (
            id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
          SELECT id, checksum FROM fieldline_migrations`);
        const done = new Map<string, string>(results[3].map((row) => [row.id, row.checksum]));
        const migration = schema.migrations.find((m) => !done.has(m.id));
        const next = migration
          ? { id: migration.id, statements: migration.statements, checksum: 'v1' }
          : done.get(RESOURCE_SCHEMA) !== resourcesChecksum
            ? { id: RESOURCE_SCHEMA, statements: schema.resources, checksum: resourcesChecksum }
            : undefined;
        if (!next) {
          await connection.run('COMMIT');
          return;
        }
        const record = `INSERT INTO fieldline_migrations (id, checksum)
          VALUES (${quoteSqlString(next.id)}, ${quoteSqlString(next.checksum)})
          ON CONFLICT (id) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()`;
        await connection.run([...next.statements, record, 'COMMIT'].join(';\n'));
        applied.push(next.id);
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }
  });
  return { applied };
}
