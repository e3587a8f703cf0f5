// Filtered lists on a large, skewed account: does `GET /v1/customers?status=...` stay fast when the
// newest rows do not match? Seeds BENCH_LIST_ROWS customers (default 100,000) in one account: the
// newest 24% are `lead`, the older ones 70% `active`, 25% `inactive`, 5% `lead`. Then, against the
// server as `npm start` runs it (bin/fieldline.js, the build when current), per query: requests/s
// and p50/p99 at 10 connections for BENCH_DURATION seconds, and PostgreSQL's plan for the page's
// statement (rows the index scan read and threw away), with the index the schema makes and with the
// one it replaced; and the plans of the page after 5,000 matching rows, with the cursor's condition
// as it compiles now (a row comparison) and as it compiled before (ORs).
//   npm run bench:filtered-list
import autocannon from 'autocannon';
import pg from 'pg';
import { createBenchDatabase } from './database.ts';
import { createBenchAccount, startServerProcess, type ServerProcess } from './server-process.ts';

const ROWS = Number(process.env.BENCH_LIST_ROWS ?? 100_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
async function seed(client: pg.Client, accountId: string) {
  const newest = Math.round(ROWS * 0.24);
  // Row n is n minutes old; the newest `newest` rows are leads, then 70/25/5 active/inactive/lead.
  await client.query(
    `INSERT INTO customers (id, account_id, name, tags, status, created_at, updated_at)
     SELECT 'cus_bench' || lpad(n::text, 8, '0'), $1, 'Customer ' || n, '{}',
            CASE WHEN n <= $2 THEN 'lead' WHEN n % 20 < 14 THEN 'active' WHEN n % 20 < 19 THEN 'inactive'
                 ELSE 'lead' END,
            now() - n * interval '1 minute', now() - n * interval '1 minute'
     FROM generate_series(1, $3) AS n`,
    [accountId, newest, ROWS],
  );
  await client.query('ANALYZE customers');
}

const PAGE = `SELECT id, name, status, created_at FROM customers
  WHERE account_id = $1 AND deleted_at IS NULL AND status = $2`;
const ORDER = 'ORDER BY created_at DESC NULLS FIRST, id DESC NULLS FIRST LIMIT 51';

/** PostgreSQL's plan for a statement: the index it used, rows it read and dropped, its time. */
async function planOf(client: pg.Client, statement: string, parameters: unknown[]) {
  const { rows } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement}`, parameters);
  const plan = rows[0]['QUERY PLAN'][0];
  let removed = 0;
  const scans: string[] = [];
  const walk = (node: any) => {
    removed += node['Rows Removed by Filter'] ?? 0;
    if (node['Index Name']) scans.push(node['Index Name']);
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(plan.Plan);
  return { removed, index: scans.join(', ') || plan.Plan['Node Type'], ms: plan['Execution Time'] as number };
}

const database = await createBenchDatabase(ADMIN_URL);
let server: ServerProcess | undefined;
try {
  const { account, api_key: key } = createBenchAccount(database.url);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const seeded = performance.now();
  await seed(client, account.id);
  console.error(`seeded ${ROWS} customers in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
  server = await startServerProcess({ DATABASE_URL: database.url });
  const base = server.base;

  console.log(`${ROWS} customers, ${DURATION} s per query at 10 connections\n`);
  console.log('| status index | query | requests/s | p50 ms | p99 ms | index used | rows read and dropped | plan ms |');
  console.log('| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |');
  const deepPages: string[] = [];
  // The index the schema makes, then (to price it) the one it replaced, on the same data and server.
  const variants = [
    { label: '(account_id, status, created_at, id)', sql: [] as string[] },
    {
      label: '(account_id, status): before',
      sql: [
        'DROP INDEX customers_status_recent_idx',
        'CREATE INDEX customers_status_idx ON customers (account_id, status)',
      ],
    },
  ];
  for (const variant of variants) {
    for (const statement of variant.sql) await client.query(statement);
    await client.query('ANALYZE customers');
    for (const status of ['active', 'inactive', 'lead']) {
      const path = `/v1/customers?status=${status}&limit=50`;
      const result = await autocannon({
        url: base + path,
        connections: 10,
        duration: DURATION,
        headers: { authorization: `Bearer ${key}` },
      });
      if (result.non2xx) throw new Error(`${path}: ${result.non2xx} answers were not 2xx`);
      const first = await planOf(client, `${PAGE} ${ORDER}`, [account.id, status]);
      console.log(
        `| ${variant.label} | \`${path}\` | ${Math.round(result.requests.mean)} | ${result.latency.p50} | ` +
          `${result.latency.p99} | ${first.index} | ${first.removed} | ${first.ms.toFixed(2)} |`,
      );
      // Page 101: after the 5,000th matching row, as the cursor compiles now and as it compiled before.
      const after = (
        await client.query(`${PAGE} ${ORDER.replace('LIMIT 51', 'OFFSET 4999 LIMIT 1')}`, [account.id, status])
      ).rows[0];
      const position = [account.id, status, after.created_at, after.id];
      for (const [form, keyset] of [
        ['(created_at, id) < (…)', '(created_at, id) < ($3, $4)'],
        ['created_at < … OR (= … AND id < …): before', '(created_at < $3 OR (created_at = $3 AND id < $4))'],
      ]) {
        const plan = await planOf(client, `${PAGE} AND ${keyset} ${ORDER}`, position);
        deepPages.push(
          `| ${variant.label} | ${status} | ${form} | ${plan.index} | ${plan.removed} | ${plan.ms.toFixed(2)} |`,
        );
      }
    }
  }
  console.log('\nThe page after 5,000 matching rows (plans only)\n');
  console.log('| status index | status | cursor condition | index used | rows read and dropped | plan ms |');
  console.log('| --- | --- | --- | --- | ---: | ---: |');
  for (const line of deepPages) console.log(line);
  await client.end();
} finally {
  await server?.stop();
  await database.drop();
}
