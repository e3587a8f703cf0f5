// Start time and memory of the server as `npm start` runs it: `node bin/fieldline.js serve` in its own
// process, from the compiled build (build/) and from the sources through tsx (FIELDLINE_FROM_SOURCE=1),
// on PGlite and on PostgreSQL. Per round: time from spawn to the first 200 from /v1/health (a first
// start migrates an empty database; a restart finds it migrated), RSS once answering, and peak RSS
// (VmHWM) after BENCH_LOAD_SECONDS of GET /v1/customers at 10 connections.
//   npm run bench:startup        (after `npm run build:server`)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createBenchDatabase } from './database.ts';
import { createBenchAccount, memoryOf, startServerProcess } from './server-process.ts';
import { isServerBuildFresh } from '../scripts/server-build.js';

// The bin falls back to the sources when the build is stale, which would label source rows `build`.
if (!isServerBuildFresh()) throw new Error('the build is older than src/: run `npm run build:server` first');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

type Code = 'build' | 'source';
interface Target {
  database: 'pglite' | 'postgres';
  env: Record<string, string>;
}

async function startOnce(code: Code, target: Target) {
  const server = await startServerProcess({ ...target.env, FIELDLINE_FROM_SOURCE: code === 'source' ? '1' : '0' });
  return { ...server, atRest: memoryOf(server.pid) };
}

async function loadPeak(port: number, pid: number, key: string) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/v1/customers?limit=20`,
    connections: 10,
    duration: LOAD_SECONDS,
    headers: { authorization: `Bearer ${key}` },
  });
  return { requests: Math.round(result.requests.mean), non2xx: result.non2xx, peak: memoryOf(pid).peak };
}

async function measure(code: Code, target: Target, key: string) {
  const rows = [];
  for (let round = 0; round < ROUNDS; round++) {
    const server = await startOnce(code, target);
    try {
      const load = await loadPeak(server.port, server.pid, key);
      rows.push({ start: server.startMs, rest: server.atRest.rss, ...load });
    } finally {
      await server.stop();
    }
  }
  return rows;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const spread = (values: number[]) => `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;

async function benchTarget(target: Target, firstStart: () => Promise<string>) {
  const key = await firstStart();
  for (const code of ['build', 'source'] as const) {
    const rows = await measure(code, target, key);
    const starts = rows.map((row) => row.start);
    const rests = rows.map((row) => row.rest);
    const peaks = rows.map((row) => row.peak);
    console.log(
      `| ${target.database} | ${code} | ${median(starts).toFixed(0)} (${spread(starts)}) | ` +
        `${median(rests).toFixed(0)} (${spread(rests)}) | ${median(peaks).toFixed(0)} (${spread(peaks)}) | ` +
        `${median(rows.map((row) => row.requests))} | ${rows.reduce((sum, row) => sum + row.non2xx, 0)} |`,
    );
  }
}

console.log(`restart to first answer, RSS answering, peak RSS after ${LOAD_SECONDS} s of load; median (min–max)`);
console.log(`over ${ROUNDS} rounds\n`);
console.log('| database | code | start ms | RSS at rest MiB | peak RSS MiB | requests/s | non-2xx |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');

const dataDir = mkdtempSync(join(tmpdir(), 'fieldline-startup-'));
try {
  const pglite: Target = { database: 'pglite', env: { FIELDLINE_DATA_DIR: dataDir } };
  await benchTarget(pglite, async () => {
    const first = await startOnce('build', pglite); // migrates the empty data dir
    console.error(`(first start on an empty PGlite data dir, migrations included: ${first.startMs.toFixed(0)} ms)`);
    await first.stop();
    return createBenchAccount({ dataDir }).api_key; // not the demo account: its plan would rate limit the load
  });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

const database = await createBenchDatabase(ADMIN_URL);
try {
  const postgres: Target = { database: 'postgres', env: { DATABASE_URL: database.url } };
  await benchTarget(postgres, async () => createBenchAccount(database.url).api_key);
} finally {
  await database.drop();
}
