// Report memory: one account with BENCH_REPORT_ROWS stocked inventory items (seeded with COPY),
// then an inventory_valuation report of every item made as CSV and as XLSX by the real report
// worker on PostgreSQL, with the process's resident memory sampled every 20 ms. Prints, per
// format: rows, file size, seconds, RSS before and at its peak, and the JS heap's peak. Run it with
// a small heap (--max-old-space-size=64) to see that the report fits in one however many rows.
// Usage: node --import tsx bench/report-memory.ts   (env: BENCH_DATABASE_URL, BENCH_REPORT_ROWS)
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pino } from 'pino';
import { createAccount } from '../src/auth/accounts.ts';
import { connectPostgres } from '../src/db/connect-postgres.ts';
import { copyValue } from '../src/db/copy-text.ts';
import { migrate } from '../src/db/migrate.ts';
import { createFieldline, fieldlineApi } from '../src/main.ts';
import { SecretBox } from '../src/platform/secret-box.ts';
import { reportWorkerKey } from '../src/reports/report-worker.ts';
import { localDiskStorage } from '../src/storage/file-storage.ts';
import { createBenchDatabase } from './database.ts';

const adminUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const total = Number(process.env.BENCH_REPORT_ROWS ?? 1_000_000);
const log = (message: string) => process.stderr.write(`${message}\n`);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** Streams `count` inventory items of `accountId` into the table with COPY. */
async function seedItems(url: string, accountId: string, count: number) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = ['id', 'account_id', 'sku', 'name', 'quantity_on_hand', 'unit_cost', 'currency'];
    const flags = ['reorder_point', 'needs_reorder', 'allow_negative', 'created_at', 'updated_at'];
    const stream = client.query(copyFrom(`COPY inventory_items (${[...columns, ...flags].join(', ')}) FROM STDIN`));
    const done = new Promise<void>((resolve, reject) => stream.once('finish', resolve).once('error', reject));
    const stamp = new Date().toISOString();
    let chunk = '';
    for (let n = 0; n < count; n++) {
      const row = [
        `itm_bench${n.toString(36).padStart(10, '0')}`,
        accountId,
        `SKU-${n}`,
        // Some names a spreadsheet would run, and some that need quoting.
        n % 97 === 0 ? `=cmd|' /C calc'!A${n}` : `Part ${n}, size ${n % 40} "std"`,
        1 + (n % 50),
        100 + (n % 10_000),
        n % 5 === 0 ? 'EUR' : 'USD',
        0,
        false,
        false,
        stamp,
        stamp,
      ];
      chunk += `${row.map(copyValue).join('\t')}\n`;
      if (chunk.length > 1 << 20) {
        if (!stream.write(chunk)) await new Promise((resolve) => stream.once('drain', resolve));
        chunk = '';
      }
    }
    stream.end(chunk);
    await done;
    await client.query('ANALYZE inventory_items');
  } finally {
    await client.end();
  }
}

const database = await createBenchDatabase(adminUrl);
const files = await mkdtemp(join(tmpdir(), 'fieldline-report-bench-'));
const db = await connectPostgres(database.url, 10);
try {
  await migrate(db, fieldlineApi().schema);
  const fieldline = createFieldline({
    db,
    secrets: new SecretBox(randomBytes(32)),
    logger: pino({ level: 'warn' }),
    options: { publicUrl: 'http://127.0.0.1', files: localDiskStorage(files) },
  });
  const { account, api_key } = await createAccount(db, { name: 'Report Bench' });
  const began = performance.now();
  await seedItems(database.url, account.id, total);
  log(`seeded ${total} items with COPY in ${((performance.now() - began) / 1000).toFixed(1)} s`);

  const worker = fieldline.runtime.use(reportWorkerKey);
  const results: string[] = [];
  for (const format of ['csv', 'xlsx'] as const) {
    global.gc?.();
    const response = await fieldline.app.request('/v1/reports', {
      method: 'POST',
      headers: { authorization: `Bearer ${api_key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'inventory_valuation', format }),
    });
    if (response.status !== 202) throw new Error(`ask: ${response.status} ${await response.text()}`);
    const { id } = ((await response.json()) as { data: { id: string } }).data;
    const before = process.memoryUsage().rss;
    let peak = before;
    let heapPeak = 0;
    const sample = () => {
      const usage = process.memoryUsage();
      peak = Math.max(peak, usage.rss);
      heapPeak = Math.max(heapPeak, usage.heapUsed + usage.arrayBuffers);
    };
    const sampler = setInterval(sample, 20);
    const started = performance.now();
    await worker.run();
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    sample();
    const report = (await (
      await fieldline.app.request(`/v1/reports/${id}`, { headers: { authorization: `Bearer ${api_key}` } })
    ).json()) as { data: { status: string; row_count: number; bytes: number; error: string | null } };
    if (report.data.status !== 'succeeded') throw new Error(`${format}: ${JSON.stringify(report.data)}`);
    results.push(
      `| ${format} | ${report.data.row_count} | ${mib(report.data.bytes)} | ${seconds.toFixed(1)} | ` +
        `${mib(before)} | ${mib(peak)} | ${mib(peak - before)} | ${mib(heapPeak)} |`,
    );
  }
  console.log(`heap limit: ${process.execArgv.join(' ') || 'default'}`);
  console.log('| format | rows | file | seconds | RSS before | RSS peak | growth | JS heap + buffers peak |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const line of results) console.log(line);
} finally {
  await db.close();
  await database.drop();
  await rm(files, { recursive: true, force: true });
}
