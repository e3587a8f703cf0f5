// Webhook delivery: 10,000 events to a receiver on 127.0.0.1, one worker (or more: BENCH_WORKERS,
// each past the first in a process of its own, as on other nodes). Reports deliveries/s and the time
// from an event's commit to its arrival (p50/p99); then fairness: another burst of one account, then
// one event of a second account, and how long that one waited.
// Usage: npm run bench:webhooks   (env: BENCH_DATABASE_URL, BENCH_EVENTS, BENCH_BATCH, BENCH_WORKERS)
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { connectPostgres } from '../src/db/connect-postgres.ts';
import { migrate } from '../src/db/migrate.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { createAccount } from '../src/auth/accounts.ts';
import { createFieldline, fieldlineApi } from '../src/main.ts';
import { SecretBox } from '../src/platform/secret-box.ts';
import { webhookDelivery } from '../src/webhooks/webhook-service.ts';
import { createBenchDatabase } from './database.ts';

const adminUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const total = Number(process.env.BENCH_EVENTS ?? 10_000);
const batch = Number(process.env.BENCH_BATCH ?? 100);
const workers = Number(process.env.BENCH_WORKERS ?? 1);
const log = (message: string) => process.stderr.write(`${message}\n`);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

const database = await createBenchDatabase(adminUrl);
const db = await connectPostgres(database.url, 20);
const secretKey = randomBytes(32);
const otherWorkers: ChildProcess[] = [];
/** Another worker in its own process, resolved once it delivers. */
function startOtherWorker(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/webhook-worker.ts'], {
    env: {
      ...process.env,
      BENCH_WORKER_DATABASE_URL: database.url,
      BENCH_WORKER_SECRET_KEY: secretKey.toString('hex'),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  otherWorkers.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}
try {
  await migrate(db, fieldlineApi().schema);
  const fieldline = createFieldline({
    db,
    secrets: new SecretBox(secretKey),
    logger: pino({ level: 'warn' }),
    options: { publicUrl: 'http://127.0.0.1', webhooks: { allowPrivate: true } },
  });
  const { account, api_key } = await createAccount(db, { name: 'Webhook Bench' });

  const arrived = new Map<string, number>();
  let expect = { count: Infinity, resolve: () => {} };
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      arrived.set(JSON.parse(Buffer.concat(chunks).toString()).id, performance.timeOrigin + performance.now());
      res.end('ok');
      if (arrived.size === expect.count) expect.resolve();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/`;
  async function subscribe(key: string) {
    const endpoint = await fieldline.app.request('/v1/webhook-endpoints', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url, enabled_events: ['customer.created'] }),
    });
    if (endpoint.status !== 201) throw new Error(`endpoint: ${endpoint.status} ${await endpoint.text()}`);
  }
  await subscribe(api_key);
  const other = await createAccount(db, { name: 'Webhook Bench, another account' });
  await subscribe(other.api_key);
  await fieldline.runtime.use(webhookDelivery).start();
  await Promise.all(Array.from({ length: workers - 1 }, startOtherWorker));

  // Events are written straight into the table, `batch` per transaction: as fast as PostgreSQL
  // takes them (a burst: the worker races the writer), then paced (the latency of a quiet API).
  let sequence = 0;
  // A backlog (every event committed at once, in one transaction, timed from its commit) measures
  // delivery alone: in a burst the writer shares this process and the cores with the workers.
  async function phase(
    name: string,
    count: number,
    size: number,
    perSecond: number | null,
    { last, backlog = false }: { last?: string; backlog?: boolean } = {},
  ) {
    arrived.clear();
    const committedAt = new Map<string, number>();
    const allArrived = new Promise<void>((resolve) => {
      expect = { count, resolve };
    });
    let started = performance.now();
    for (let written = 0; written < count; written += size) {
      if (perSecond) {
        const due = started + (written / perSecond) * 1000;
        if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
      }
      const ids = Array.from(
        { length: Math.min(size, count - written) },
        () => `evt_bench${String(sequence++).padStart(21, '0')}`,
      );
      // The last event of a phase may be another account's (the fairness phase).
      const owner = (id: string) => (last && id === ids.at(-1) && written + size >= count ? last : account.id);
      const values = ids
        .map(
          (id) =>
            `('${id}', '${owner(id)}', 'customer.created', ` +
            `'{"object":{"object":"customer","name":"Bench"}}', now(), now())`,
        )
        .join(',');
      await systemQuery(db, {
        sql: `INSERT INTO events (id, account_id, type, data, created_at, updated_at) VALUES ${values}`,
        parameters: [],
      });
      const at = performance.timeOrigin + performance.now();
      for (const id of ids) committedAt.set(id, at);
    }
    if (backlog) started = performance.now();
    await Promise.race([
      allArrived,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`${name}: only ${arrived.size} of ${count} arrived in 120 s`)), 120_000),
      ),
    ]);
    const seconds = (performance.now() - started) / 1000;
    const latencies = [...arrived].map(([id, at]) => at - committedAt.get(id)!).sort((x, y) => x - y);
    if (last) {
      const lastId = `evt_bench${String(sequence - 1).padStart(21, '0')}`;
      otherWaited = arrived.get(lastId)! - committedAt.get(lastId)!;
    }
    return (
      `| ${name} | ${count} | ${perSecond ?? 'max'} | ${seconds.toFixed(1)} | ${(count / seconds).toFixed(0)} | ` +
      `${percentile(latencies, 0.5).toFixed(0)} | ${percentile(latencies, 0.99).toFixed(0)} | ` +
      `${latencies.at(-1)!.toFixed(0)} |`
    );
  }

  log(`burst: ${total} events in transactions of ${batch}; then 2,000 paced at 500/s; ${workers} worker(s)`);
  let otherWaited = NaN;
  const rows = [
    await phase('backlog', total, total, null, { backlog: true }),
    await phase('burst', total, batch, null),
    await phase('paced', 2_000, 10, 500),
    await phase('burst, then another account', total, batch, null, { last: other.account.id }),
  ];
  let attempts = 0;
  for (let waited = 0; waited < 5_000 && attempts < 3 * total + 2_000; waited += 100) {
    [{ attempts }] = await systemQuery(db, {
      sql: 'SELECT count(*)::int AS attempts FROM webhook_deliveries',
      parameters: [],
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.stdout.write(
    [
      '',
      '| phase | events | offered/s | first commit to last arrival, s | ' +
        'deliveries/s | commit→arrival p50 ms | p99 ms | max ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      `attempts logged: ${attempts} of ${3 * total + 2_000}`,
      `the other account's event, queued after the last burst: commit→arrival ${otherWaited.toFixed(0)} ms`,
      '',
    ].join('\n'),
  );
  await fieldline.runtime.stop();
  receiver.close();
} finally {
  for (const child of otherWorkers) child.kill('SIGTERM');
  await Promise.all(
    otherWorkers.map((child) => child.exitCode ?? new Promise((resolve) => child.once('exit', resolve))),
  );
  await db.close();
  await database.drop();
}
