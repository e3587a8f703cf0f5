// Start-up: config -> database (+ lock for the embedded one) -> migrations -> Fieldline's
// services and app (src/main.ts) -> listen; and the way down in reverse.
import { Hono } from 'hono';
import type { Config } from './config.ts';
import { createLogger } from './logger.ts';
import { connectDatabase } from './db/connect.ts';
import { acquireDataDirLock } from './db/data-dir-lock.ts';
import { migrate } from './db/migrate.ts';
import { connectReadReplica } from './db/read-replica.ts';
import { systemQuery } from './db/system-query.ts';
import { createAccount } from './auth/accounts.ts';
import { mountMetrics } from './http/metrics-route.ts';
import { serveHttp } from './http/serve-http.ts';
import { drainable } from './http/drain-server.ts';
import { connectRedis } from './limits/connect-redis.ts';
import { SecretBox, dataDirSecretKey, parseSecretKey } from './platform/secret-box.ts';
import { filesFolder, localDiskStorage } from './storage/file-storage.ts';
import { createFieldline, fieldlineApi } from './main.ts';

/** Whether this process runs the compiled build (scripts/build-server.js) or the sources through tsx. */
const RUNNING_CODE = import.meta.url.endsWith('.ts') ? 'source' : 'build';

async function createDemoAccountIfEmpty(db: Awaited<ReturnType<typeof connectDatabase>>, port: number): Promise<void> {
  const [{ count }] = await systemQuery(db, { sql: 'SELECT count(*)::int AS count FROM accounts', parameters: [] });
  if (count > 0) return;
  const { account, api_key } = await createAccount(db, { name: 'Demo Company' });
  process.stdout.write(
    [
      '',
      `  Created the demo account "${account.name}" (${account.id}).`,
      `  Its API key, shown only this once (the SDKs read FIELDLINE_API_KEY):`,
      '',
      `    export FIELDLINE_API_KEY=${api_key}`,
      '',
      `  Try: curl -H "Authorization: Bearer $FIELDLINE_API_KEY" http://localhost:${port}/v1/customers`,
      `  Webhooks to a receiver on this machine: start with FIELDLINE_WEBHOOK_ALLOW_PRIVATE=1 (development only).`,
      '',
    ].join('\n') + '\n',
  );
}

async function listen(app: Hono, port: number, hostname: string) {
  // Node's own refusals (headers past 16 KiB, unparsable requests) answer problem+json too.
  const server = serveHttp(app, { port, hostname });
  const drain = drainable(server);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    /** Stops listening, lets the requests in flight finish (up to `timeoutMs`), closes every connection. */
    close: (timeoutMs: number) => drain.drain(timeoutMs),
  };
}

export async function startServer(config: Config) {
  const logger = createLogger(config.logLevel);
  const releaseLock = config.databaseUrl ? () => {} : acquireDataDirLock(config.dataDir, 'server');
  // Opening the database starts with reads (PGlite's files) or a round trip (PostgreSQL); the API is
  // built while they are under way.
  const connecting = connectDatabase(config);
  const api = fieldlineApi();
  const db = await connecting;
  const { applied } = await migrate(db, api.schema);
  if (applied.length) logger.info({ applied }, 'database migrated');
  if (!config.databaseUrl) await createDemoAccountIfEmpty(db, config.port);

  const redis = config.redisUrl ? connectRedis(config.redisUrl, logger) : undefined;
  const readReplica = config.databaseReplicaUrl
    ? await connectReadReplica(config.databaseReplicaUrl, db, {
        poolSize: config.dbPoolSize,
        stickyMs: config.replicaStickyMs,
        redis,
        logger,
      })
    : undefined;
  const secrets = new SecretBox(config.secretKey ? parseSecretKey(config.secretKey) : dataDirSecretKey(config.dataDir));
  const fieldline = createFieldline({
    api,
    db,
    secrets,
    logger,
    options: {
      publicUrl: config.publicUrl,
      maxBodyBytes: config.maxBodyBytes,
      trustProxy: config.trustProxy,
      redis,
      readReplica,
      files: localDiskStorage(filesFolder(config.dataDir)),
      requestLogRetentionDays: config.requestLogRetentionDays,
      auditRetentionDays: config.auditRetentionDays,
      accountRetentionDays: config.accountRetentionDays,
      alertIntervalMs: config.alertIntervalMs,
      dunningIntervalMs: config.dunningIntervalMs,
      smtp: config.smtpUrl ? { url: config.smtpUrl, from: config.mailFrom } : undefined,
      sms: config.sms,
      stripe: config.stripe,
      credits: config.credits,
      stripeBilling: config.stripeBilling,
      integrations: config.integrations,
      push: config.push,
      webhooks: { allowPrivate: config.webhookAllowPrivate },
    },
    http: { portalOrigins: config.portalOrigins, metricsToken: config.metricsToken },
  });
  await fieldline.runtime.start();
  await readReplica?.start();
  const server = await listen(fieldline.app, config.port, config.host);
  const port = server.port;
  logger.info(
    { port, database: db.kind, rate_limit_store: redis ? 'redis' : 'memory', code: RUNNING_CODE },
    `Fieldline listening on http://localhost:${port} (docs: /docs)`,
  );
  let admin: Awaited<ReturnType<typeof listen>> | undefined;
  if (config.admin) {
    const adminApp = new Hono();
    mountMetrics(adminApp, fieldline.runtime.metrics, null);
    admin = await listen(adminApp, config.admin.port, config.admin.host);
    logger.info({ port: admin.port, host: config.admin.host }, 'admin listener: /metrics');
  }

  // The way down (SIGTERM): new connections are refused at once; requests in flight finish, each
  // connection closing after its answer (src/http/drain-server.ts), for up to shutdownTimeoutMs;
  // then the workers finish the batch they claimed and claim no more (what is left waits in the
  // database for the other nodes, or this one's next start), the request log is flushed, the pools close.
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const started = Date.now();
      await fieldline.runtime.endStreams(); // open event streams would hold the server open
      const [{ cut }] = await Promise.all([server.close(config.shutdownTimeoutMs), admin?.close(1_000)]);
      if (cut) logger.warn({ cut }, `requests still unanswered after ${config.shutdownTimeoutMs / 1000} s were cut`);
      logger.info({ ms: Date.now() - started }, 'HTTP drained; stopping the workers');
      await fieldline.runtime.stop();
      await readReplica?.close();
      redis?.disconnect();
      await db.close();
      releaseLock();
    })());
  return { port, adminPort: admin?.port, stop, db, logger, fieldline };
}
