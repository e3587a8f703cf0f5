// Business analytics latency on a large account: seeds one account on PostgreSQL with COPY
// (bench/analytics-seed.ts), starts the real server, and loads each analytics endpoint with
// autocannon, reporting p50/p95 per endpoint from every response's own latency.
// Usage: npm run bench:analytics   (env: see bench/README.md, "Business analytics")
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';
import { createBenchKey } from './bench-key.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { createAccount } from '../src/auth/accounts.ts';
import { createBenchDatabase } from './database.ts';
import { seedAnalytics } from './analytics-seed.ts';

const env = process.env;
const settings = {
  adminUrl: env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  jobs: Number(env.BENCH_JOBS ?? 1_000_000),
  invoices: Number(env.BENCH_INVOICES ?? 500_000),
  events: Number(env.BENCH_EVENTS ?? 2_000_000),
  customers: Number(env.BENCH_CUSTOMERS ?? 50_000),
  technicians: Number(env.BENCH_TECHNICIANS ?? 50),
  days: Number(env.BENCH_DAYS ?? 3 * 365),
  durationSeconds: Number(env.BENCH_DURATION ?? 10),
  connections: Number(env.BENCH_CONNECTIONS ?? 4),
  /** 1: the default window only (the 300 ms goal's); 2: the year compared as well. */
  windows: Number(env.BENCH_WINDOWS ?? 2),
  /** Keep the database (and print its URL) for EXPLAIN. */
  keep: env.BENCH_KEEP === '1',
  /** A database a kept run seeded: measure again without seeding. */
  seededUrl: env.BENCH_SEEDED_URL,
};
const log = (message: string) => process.stderr.write(`${message}\n`);

const ENDPOINTS = [
  '/v1/analytics/dashboard',
  '/v1/analytics/jobs',
  '/v1/analytics/revenue',
  '/v1/analytics/customers',
  '/v1/analytics/contacts',
  '/v1/finance/stats',
];
/** The default (the last 30 days by day), and the longest daily question compared with the year before. */
const WINDOWS = [
  { name: '30 days by day', query: '' },
  { name: '1 year by month, compared', query: '?from={yearAgo}&to={today}&interval=month&compare=previous_period' },
];

const ACTIVE_QUERIES = `SELECT count(*)::int AS n FROM pg_stat_activity
  WHERE datname = current_database() AND state = 'active' AND backend_type = 'client backend'
    AND pid <> pg_backend_pid()`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

/** Loads one URL; every response's latency (ms) is kept, so p95 is exact rather than autocannon's buckets. */
function load(
  url: string,
  headers: Record<string, string>,
): Promise<{ latencies: number[]; non2xx: number; errors: number }> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let non2xx = 0;
    const run = (autocannon as unknown as (o: object, cb: (e: Error | null, r: any) => void) => any)(
      // A long question must still be measured, not cut off at autocannon's default 10 s timeout.
      { url, headers, connections: settings.connections, duration: settings.durationSeconds, timeout: 120 },
      (error, result) =>
        error ? reject(error) : resolve({ latencies, non2xx, errors: result.errors + result.timeouts }),
    );
    run.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms);
      else non2xx++;
    });
  });
}

async function main(cleanups: Array<() => Promise<unknown>>) {
  log(`settings: ${JSON.stringify({ ...settings, adminUrl: undefined })}`);
  let databaseUrl = settings.seededUrl;
  if (!databaseUrl) {
    const database = await createBenchDatabase(settings.adminUrl);
    if (settings.keep) log(`keeping ${database.url}`);
    else cleanups.push(() => database.drop());
    databaseUrl = database.url;
  }
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' });
  const server = await startServer(config);
  cleanups.push(() => server.stop());
  const [seeded] = await systemQuery<{ id: string }>(server.db, {
    sql: `SELECT id FROM accounts WHERE name = 'Analytics Bench'`,
    parameters: [],
  });
  const accountId =
    seeded?.id ?? (await createAccount(server.db, { name: 'Analytics Bench', plan: 'enterprise' })).account.id;
  const secret = await createBenchKey(server.db, accountId, {
    name: 'Analytics bench key',
    scopes: ['read:analytics'],
  });
  let seedSeconds = 0;
  if (!seeded) {
    await systemQuery(server.db, {
      sql: `INSERT INTO account_branding (account_id, time_zone, updated_at) VALUES ($1, 'America/Chicago', now())`,
      parameters: [accountId],
    });
    const seedStart = performance.now();
    log('seeding with COPY:');
    await seedAnalytics(databaseUrl, accountId, settings);
    seedSeconds = (performance.now() - seedStart) / 1000;
    log(`seeded in ${seedSeconds.toFixed(0)} s`);
  }

  const today = new Date().toISOString().slice(0, 10);
  const yearAgo = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
  const headers = { authorization: `Bearer ${secret}` };
  const base = `http://127.0.0.1:${server.port}`;
  const rows: string[] = [];
  for (const window of WINDOWS.slice(0, settings.windows)) {
    for (const endpoint of ENDPOINTS) {
      const url = `${base}${endpoint}${window.query.replace('{today}', today).replace('{yearAgo}', yearAgo)}`;
      // One request alone first: its time is what a single user waits, with the machine otherwise idle.
      const began = performance.now();
      const check = await fetch(url, { headers });
      if (check.status !== 200) throw new Error(`${url}: ${check.status} ${await check.text()}`);
      await check.arrayBuffer();
      const alone = (performance.now() - began).toFixed(0);
      const { latencies, non2xx, errors } = await load(url, headers);
      // Requests still running when the run ended would slow the next one down: wait them out.
      while ((await systemQuery(server.db, { sql: ACTIVE_QUERIES, parameters: [] }))[0].n > 0) await sleep(200);
      const sorted = latencies.sort((a, b) => a - b);
      // None answered within the run: every request took longer than it.
      const at = (p: number) =>
        sorted.length ? percentile(sorted, p).toFixed(0) : `>${settings.durationSeconds * 1000}`;
      const row =
        `| ${endpoint} | ${window.name} | ${alone} | ${sorted.length} | ${at(0.5)} | ${at(0.95)} | ${at(0.99)} | ` +
        `${non2xx + errors} |`;
      log(row);
      rows.push(row);
    }
  }
  process.stdout.write(
    `\n${settings.jobs} jobs, ${settings.invoices} invoices, ${settings.events} events over ${settings.days} days; ` +
      `seeded in ${seedSeconds.toFixed(0)} s; ` +
      `${settings.connections} connections, ${settings.durationSeconds} s each\n\n` +
      '| endpoint | window | alone ms | requests | p50 ms | p95 ms | p99 ms | non-2xx/errors |\n' +
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n' +
      `${rows.join('\n')}\n`,
  );
}

const cleanups: Array<() => Promise<unknown>> = [];
const cleanup = async () => {
  for (const step of cleanups.reverse()) await step().catch((error) => log(`cleanup failed: ${error.message}`));
};
process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
try {
  await main(cleanups);
} catch (error) {
  process.exitCode = 1;
  log(`benchmark failed: ${(error as Error).stack ?? error}`);
} finally {
  await cleanup();
}
