// Fieldline vs. a bare Hono + pg server on the same database, same process, same requests.
// Usage: npm run bench   (env: see bench/README.md)
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.ts';
import { serve } from '@hono/node-server';
import { startServer } from '../src/server.ts';
import { randomBytes } from 'node:crypto';
import { createFieldline } from '../src/main.ts';
import { SecretBox } from '../src/platform/secret-box.ts';
import { createBenchKey } from './bench-key.ts';
import { createAccount, OWNER_SCOPES } from '../src/auth/accounts.ts';
import { createBenchDatabase } from './database.ts';
import { seedCustomers } from './seed.ts';
import { startBareServer } from './bare-server.ts';
import { preflight, scenarios, type Scenario, type Target } from './scenarios.ts';
import { measureCpu } from './cpu-cost.ts';
import { markdownTable, summarize, trafficControlCost, writeResults, type RunRecord } from './report.ts';
import { wrkLoad, type LoadResult } from './wrk-load.ts';

const env = process.env;
const settings = {
  adminUrl: env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  durationSeconds: Number(env.BENCH_DURATION ?? 10),
  warmupSeconds: Number(env.BENCH_WARMUP ?? 3),
  rounds: Number(env.BENCH_ROUNDS ?? 2),
  connections: (env.BENCH_CONNECTIONS ?? '10,50').split(',').map(Number),
  customers: Number(env.BENCH_CUSTOMERS ?? 10_000),
  // 1: the load generator runs in a worker thread, off the servers' event loop. 0: same thread.
  workers: Number(env.BENCH_WORKERS ?? 1),
  /** Substrings of scenario names to run (default: all). */
  only: env.BENCH_SCENARIOS ? env.BENCH_SCENARIOS.split(',') : null,
  /** Systems to load (default all three); `fieldline,core` halves a traffic-control check. */
  systems: (env.BENCH_SYSTEMS ?? 'fieldline,core,bare').split(','),
  /** `autocannon` (in a worker thread of this process) or `wrk` (its own process, two threads). */
  loader: env.BENCH_LOADER === 'wrk' ? ('wrk' as const) : ('autocannon' as const),
};
const log = (message: string) => process.stderr.write(`${message}\n`);

async function load(target: Target, scenario: Scenario, connections: number, seconds: number): Promise<LoadResult> {
  const requests = scenario.requests(target);
  if (settings.loader === 'wrk')
    return wrkLoad({ url: target.url, requests, headers: target.headers, connections, seconds });
  const r = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    headers: target.headers,
    requests,
    ...(settings.workers > 0 ? { workers: settings.workers } : {}),
  });
  return {
    reqPerSec: r.requests.mean,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, s.count])),
  };
}

async function main(cleanups: Array<() => Promise<unknown>>) {
  const startedAt = new Date();
  log(`settings: ${JSON.stringify(settings)}`);

  const database = await createBenchDatabase(settings.adminUrl);
  cleanups.push(() => database.drop());
  log(`database ${database.name} created`);

  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, LOG_LEVEL: 'warn' });
  const fieldline = await startServer(config);
  cleanups.push(() => fieldline.stop());
  const { account } = await createAccount(fieldline.db, { name: 'Bench Company', plan: 'enterprise' });
  const api_key = await createBenchKey(fieldline.db, account.id, { name: 'Bench key', scopes: OWNER_SCOPES });

  const seedStart = performance.now();
  const ids = await seedCustomers(database.url, account.id, settings.customers);
  log(`seeded ${ids.length} customers in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  // The same code, database and pool with traffic control off: what it costs, measured in this run.
  const core = createFieldline({
    db: fieldline.db,
    secrets: new SecretBox(randomBytes(32)),
    logger: fieldline.logger,
    options: { publicUrl: 'http://127.0.0.1', trafficControl: false },
  });
  const coreServer = serve({ fetch: core.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => coreServer.once('listening', resolve));
  cleanups.push(() => new Promise<void>((resolve) => coreServer.close(() => resolve())));
  const corePort = (coreServer.address() as { port: number }).port;

  const bare = await startBareServer({ databaseUrl: database.url, accountId: account.id, poolSize: config.dbPoolSize });
  cleanups.push(() => bare.stop());

  const targets = (
    [
      {
        system: 'fieldline',
        url: `http://127.0.0.1:${fieldline.port}`,
        prefix: '/v1',
        headers: { authorization: `Bearer ${api_key}` },
      },
      {
        system: 'core',
        url: `http://127.0.0.1:${corePort}`,
        prefix: '/v1',
        headers: { authorization: `Bearer ${api_key}` },
      },
      { system: 'bare', url: `http://127.0.0.1:${bare.port}`, prefix: '', headers: {} },
    ] as Target[]
  ).filter((target) => settings.systems.includes(target.system));
  log(
    `fieldline on :${fieldline.port}, core (no traffic control) on :${corePort}, ` +
      `bare on :${bare.port} (pool size ${config.dbPoolSize} each)`,
  );

  const runs: RunRecord[] = [];
  for (const scenario of scenarios(ids).filter(
    (s) => !settings.only || settings.only.some((part) => s.name.includes(part)),
  )) {
    for (const target of targets) await preflight(scenario, target);
    if (settings.warmupSeconds > 0) {
      for (const target of targets)
        await load(target, scenario, Math.max(...settings.connections), settings.warmupSeconds);
    }
    for (const connections of settings.connections) {
      for (let round = 1; round <= settings.rounds; round++) {
        for (const target of targets) {
          // alternate: fieldline, core, bare, fieldline, core, bare ...
          const cpu = measureCpu();
          const r = await load(target, scenario, connections, settings.durationSeconds);
          const cost = cpu(r.total);
          const record: RunRecord = {
            scenario: scenario.name,
            connections,
            system: target.system,
            round,
            ...r,
            ...cost,
          };
          runs.push(record);
          log(
            `${scenario.name} c=${connections} round ${round}/${settings.rounds} ${target.system}: ` +
              `${record.reqPerSec.toFixed(0)} req/s, p50 ${record.p50Ms} ms, p99 ${record.p99Ms} ms, ` +
              `server ${cost.serverUsPerRequest.toFixed(0)} µs/req, ` +
              `database ${cost.databaseUsPerRequest.toFixed(0)} µs/req, ` +
              `machine ${cost.machineUsPerRequest.toFixed(0)} µs/req, ` +
              `non-2xx ${record.non2xx}, errors ${record.errors}`,
          );
        }
      }
    }
  }

  const summary = summarize(runs);
  const table = markdownTable(summary);
  const cost = trafficControlCost(summary);
  process.stdout.write(`\n${table}\n\nTraffic control (fieldline against core):\n\n${cost}\n\n`);
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const file = writeResults(join(dirname(fileURLToPath(import.meta.url)), 'results'), stamp, {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    settings: { ...settings, adminUrl: undefined },
    environment: {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      dbPoolSize: config.dbPoolSize,
    },
    summary,
    runs,
    table,
    trafficControlCost: cost,
  });
  log(`results written to ${file}`);
}

const cleanups: Array<() => Promise<unknown>> = [];
let cleaning: Promise<void> | undefined;
const cleanup = () =>
  (cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      await step().catch((error) => log(`cleanup failed: ${(error as Error).message}`));
    }
  })());

process.once('SIGINT', () => {
  log('interrupted; cleaning up');
  void cleanup().finally(() => process.exit(130));
});

try {
  await main(cleanups);
} catch (error) {
  process.exitCode = 1;
  log(`benchmark failed: ${(error as Error).stack ?? error}`);
} finally {
  await cleanup();
}
