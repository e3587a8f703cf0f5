// DATABASE_URL -> PostgreSQL server; otherwise embedded PGlite in the data folder.
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { Database } from './database.ts';
import { connectPglite } from './connect-pglite.ts';
import { connectPostgres } from './connect-postgres.ts';

export function connectDatabase(
  config: Pick<Config, 'databaseUrl' | 'databaseDirectUrl' | 'dataDir' | 'dbPoolSize'>,
): Promise<Database> {
  if (config.databaseUrl)
    return connectPostgres(config.databaseUrl, config.dbPoolSize, { directUrl: config.databaseDirectUrl });
  return connectPglite(join(config.dataDir, 'pgdata'));
}
