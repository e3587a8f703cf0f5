// Start-up: config -> database (+ lock for the embedded one) -> migrations -> app -> listen.
import { serve } from '@hono/node-server';
import type { Config } from './config.ts';
import { createLogger } from './logger.ts';
import { connectDatabase } from './db/connect.ts';
import { acquireDataDirLock } from './db/data-dir-lock.ts';
import { migrate } from './db/migrate.ts';
import { systemQuery } from './db/system-query.ts';
import { createRegistry } from './domain/registry.ts';
import { createAccount } from './auth/accounts.ts';
import { createApp } from './http/app.ts';

async function createDemoAccountIfEmpty(db: Awaited<ReturnType<typeof connectDatabase>>, port: number): Promise<void> {
  const [{ count }] = await systemQuery(db, { sql: 'SELECT count(*)::int AS count FROM accounts', parameters: [] });
  if (count > 0) return;
  const { account, api_key } = await createAccount(db, { name: 'Demo Company' });
  process.stdout.write([
    '',
    `  Created the demo account "${account.name}" (${account.id}).`,
    `  Its API key, shown only this once:`,
    '',
    `    ${api_key}`,
    '',
    `  Try: curl -H "Authorization: Bearer ${api_key}" http://localhost:${port}/v1/customers`,
    '',
  ].join('\n') + '\n');
}

export async function startServer(config: Config) {
  const logger = createLogger(config.logLevel);
  const releaseLock = config.databaseUrl ? () => {} : acquireDataDirLock(config.dataDir, 'server');
  const db = await connectDatabase(config);
  const registry = createRegistry();
  const { applied } = await migrate(db, registry);
  if (applied.length) logger.info({ applied }, 'database migrated');
  if (!config.databaseUrl) await createDemoAccountIfEmpty(db, config.port);

  const { app } = createApp({ db, registry, logger, maxBodyBytes: config.maxBodyBytes });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, database: db.kind }, `Fieldline listening on http://localhost:${port} (docs: /docs)`);

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.close();
    releaseLock();
  })());
  return { port, stop, db, logger };
}
