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
  await db.withConnection(async (connection) => {
    await connection.run(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
    try {
      await connection.run(`CREATE TABLE IF NOT EXISTS fieldline_migrations (
        id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const [rows] = await connection.run('SELECT id, checksum FROM fieldline_migrations');
      const done = new Map<string, string>(rows.map((row) => [row.id, row.checksum]));
      const apply = async (id: string, statements: string[], checksum: string) => {
        const record = `INSERT INTO fieldline_migrations (id, checksum)
          VALUES (${quoteSqlString(id)}, ${quoteSqlString(checksum)})
          ON CONFLICT (id) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()`;
        try {
          await connection.run(['BEGIN', ...statements, record, 'COMMIT'].join(';\n'));
        } catch (error) {
          await connection.run('ROLLBACK').catch(() => undefined);
          throw error;
        }
        applied.push(id);
      };
      for (const migration of schema.migrations) {
        if (!done.has(migration.id)) await apply(migration.id, migration.statements, 'v1');
      }
      const checksum = createHash('sha256').update(schema.resources.join(';\n')).digest('hex');
      if (done.get(RESOURCE_SCHEMA) !== checksum) await apply(RESOURCE_SCHEMA, [...schema.resources], checksum);
    } finally {
      await connection.run(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`);
    }
  });
  return { applied };
}
