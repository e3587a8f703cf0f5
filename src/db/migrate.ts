// Brings a database up to date: platform migrations in order, then the registry's schema
// (re-applied only when the declarations changed). Safe to run from several processes.
import { createHash } from 'node:crypto';
import type { Database } from './database.ts';
import type { Registry } from '../platform/registry.ts';
import { resourceSchemaStatements } from '../platform/ddl/resource-ddl.ts';
import { quoteSqlString } from './inline-parameters.ts';
import { PLATFORM_MIGRATIONS } from './platform-migrations.ts';

const MIGRATION_LOCK = 7_216_001;
const RESOURCE_SCHEMA = 'resource_schema';

export interface MigrationReport {
  applied: string[];
}

export async function migrate(db: Database, registry: Registry): Promise<MigrationReport> {
  const applied: string[] = [];
  await db.withConnection(async (connection) => {
    await connection.run(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
    try {
      await connection.run(`CREATE TABLE IF NOT EXISTS fieldline_migrations (
        id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const [rows] = await connection.run('SELECT id, checksum FROM fieldline_migrations');
      const done = new Map(rows.map((row) => [row.id as string, row.checksum as string]));
      const apply = async (id: string, statements: string[], checksum: string) => {
        const record = `INSERT INTO fieldline_migrations (id, checksum) VALUES (${quoteSqlString(id)}, ${quoteSqlString(checksum)})
          ON CONFLICT (id) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()`;
        try {
          await connection.run(['BEGIN', ...statements, record, 'COMMIT'].join(';\n'));
        } catch (error) {
          await connection.run('ROLLBACK').catch(() => undefined);
          throw error;
        }
        applied.push(id);
      };
      for (const migration of PLATFORM_MIGRATIONS) {
        if (!done.has(migration.id)) await apply(migration.id, migration.statements, 'v1');
      }
      const schema = resourceSchemaStatements(registry);
      const checksum = createHash('sha256').update(schema.join(';\n')).digest('hex');
      if (done.get(RESOURCE_SCHEMA) !== checksum) await apply(RESOURCE_SCHEMA, schema, checksum);
    } finally {
      await connection.run(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`);
    }
  });
  return { applied };
}
