// The plan of every filter × sort a list allows, on a large skewed account: does each first page
// read about a page of rows, or the account? Seeds BENCH_LIST_ROWS customers (default 100,000) in
// one account with skewed values (the newest 24% are `lead`; a third share one company; 2% are
// `vip`; emails and phones partly NULL; updated_at unrelated to created_at), compiles each query as
// the API does (parseListQuery + compileListStatements, the statement a `GET /v1/customers?...`
// runs) and EXPLAINs it (ANALYZE, BUFFERS) in a tenant transaction (RLS on, as the server runs it).
// Per query: rows the plan read (index and heap rows, including those a filter then dropped, and
// rows sorted), buffers touched and time. A page is bounded when it reads at most BOUND rows.
//   npm run bench:list-plans           (PostgreSQL: BENCH_DATABASE_URL, default the local server)
import pg from 'pg';
import { createBenchDatabase } from './database.ts';
import { createBenchAccount } from './server-process.ts';
import { fieldlineApi } from '../src/main.ts';
import { compileListStatements } from '../src/platform/query/compile-list.ts';
import { parseListQuery } from '../src/platform/query/parse-list-query.ts';
import { queryableFields } from '../src/platform/query/queryable-fields.ts';
import { TENANT_ROLE } from '../src/db/tenant-transaction.ts';

const ROWS = Number(process.env.BENCH_LIST_ROWS ?? 100_000);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Rows a first page of 25 may read and still be "a page": a few pages' worth. */
const BOUND = 1_000;

async function seed(client: pg.Client, accountId: string) {
  const newest = Math.round(ROWS * 0.24);
  await client.query(
    `INSERT INTO customers (id, account_id, name, email, phone, company, tags, status, created_at, updated_at)
     SELECT 'cus_bench' || lpad(n::text, 8, '0'), $1, 'Customer ' || n,
            CASE WHEN n % 10 = 0 THEN NULL ELSE 'c' || n || '@example.com' END,
            CASE WHEN n % 2 = 0 THEN NULL ELSE '+1555' || lpad(n::text, 7, '0') END,
            CASE WHEN n % 3 = 0 THEN 'Acme Services' WHEN n % 5 = 0 THEN NULL ELSE 'Company ' || (n % 5000) END,
            CASE WHEN n % 50 = 0 THEN '{vip}'::text[] WHEN n % 10 < 3 THEN '{commercial}'::text[] ELSE '{}' END,
            CASE WHEN n <= $2 THEN 'lead' WHEN n % 20 < 14 THEN 'active' WHEN n % 20 < 19 THEN 'inactive'
                 ELSE 'lead' END,
            now() - n * interval '1 minute', now() - ((n * 7919) % 144000) * interval '1 minute'
     FROM generate_series(1, $3) AS n`,
    [accountId, newest, ROWS],
  );
  await client.query('VACUUM ANALYZE customers');
}

const id = (n: number) => `cus_bench${String(n).padStart(8, '0')}`;
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/** Query strings per filter: a common and a rare value where the difference matters. */
const FILTERS: Record<string, string[]> = {
  id: [`id=${id(500)}`, `id[in]=${id(1)},${id(2)},${id(3)}`, `id[nin]=${id(1)},${id(2)}`],
  created_at: [`created_at[gt]=${ago(60)}`, `created_at[lt]=${ago(60)}`, `created_at[gte]=${ago(ROWS - 60)}`],
  updated_at: [`updated_at[gt]=${ago(60)}`, `updated_at[lt]=${ago(60)}`],
  name: [
    'name=Customer%20500',
    'name[ne]=Customer%20500',
    'name[contains]=tomer%201234',
    'name[starts_with]=Customer%20123',
  ],
  email: ['email=c501@example.com', 'email[is_null]=true', 'email[contains]=501'],
  phone: ['phone=%2B15550000501', 'phone[is_null]=false'],
  company: [
    'company=Acme%20Services',
    'company=Company%2017',
    'company[is_null]=true',
    'company[in]=Company%201,Company%202',
  ],
  tags: ['tags=vip', 'tags=commercial', 'tags[in]=vip,commercial', 'tags[nin]=commercial'],
  status: [
    'status=active',
    'status=inactive',
    'status=lead',
    'status[ne]=lead',
    'status[in]=active,inactive',
    'status[nin]=lead',
  ],
};

interface PlanNode {
  'Node Type': string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Index Name'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

/** Rows a plan read: what each scan returned plus what its filter dropped, and what a sort took in. */
function rowsRead(node: PlanNode): { rows: number; access: string[] } {
  let rows = 0;
  const access: string[] = [];
  const walk = (n: PlanNode) => {
    const loops = n['Actual Loops'] || 1;
    if (/Scan/.test(n['Node Type'])) {
      rows +=
        (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)) * loops;
      access.push(n['Index Name'] ?? n['Node Type']);
    }
    if (n['Node Type'] === 'Sort') access.push(`sort of ${n.Plans?.[0]['Actual Rows'] ?? '?'}`);
    for (const child of n.Plans ?? []) walk(child);
  };
  walk(node);
  return { rows, access };
}

const database = await createBenchDatabase(ADMIN_URL);
try {
  const { account } = createBenchAccount(database.url);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await seed(client, account.id);
  const customers = fieldlineApi().registry.get('customers');
  const sorts = [
    '-created_at',
    ...[...queryableFields(customers)]
      .filter(([name, field]) => field.sortable && name !== 'created_at')
      .flatMap(([name]) => [name, `-${name}`]),
    'created_at',
  ];
  const results: { query: string; sort: string; rows: number; access: string; ms: number; blocks: number }[] = [];
  for (const [, queries] of Object.entries(FILTERS)) {
    for (const filter of ['', ...queries]) {
      if (filter === '' && results.length) continue;
      for (const sort of sorts) {
        const params = new URLSearchParams(`${filter}${filter ? '&' : ''}sort=${sort}`);
        const { page } = compileListStatements(customers, account.id, parseListQuery(customers, params));
        await client.query('BEGIN');
        await client.query(`SELECT set_config('app.account_id', $1, true)`, [account.id]);
        await client.query(`SET LOCAL ROLE ${TENANT_ROLE}`);
        const explained = `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${page.sql}`;
        const { rows } = await client.query(explained, page.parameters as unknown[]);
        await client.query('COMMIT');
        const plan = (rows[0] as Record<string, any>)['QUERY PLAN'][0];
        const read = rowsRead(plan.Plan);
        const top = plan.Plan as PlanNode;
        results.push({
          query: filter || '(no filter)',
          sort,
          rows: read.rows,
          access: read.access.join(' + '),
          ms: plan['Execution Time'],
          blocks: (top['Shared Hit Blocks'] ?? 0) + (top['Shared Read Blocks'] ?? 0),
        });
      }
    }
  }
  await client.end();

  const bounded = results.filter((r) => r.rows <= BOUND);
  console.log(
    `${ROWS} customers; ${results.length} first pages (limit 25): ${bounded.length} read at most ${BOUND} rows\n`,
  );
  console.log('| filter | sort | rows read | plan | buffers | ms |');
  console.log('| --- | --- | ---: | --- | ---: | ---: |');
  const shown = process.env.BENCH_SHOW ? new RegExp(process.env.BENCH_SHOW) : undefined;
  for (const r of [...results]
    .sort((a, b) => b.rows - a.rows)
    .filter((r) => r.rows > BOUND || shown?.test(decodeURIComponent(r.query))))
    console.log(
      `| \`${decodeURIComponent(r.query)}\` | ${r.sort} | ${r.rows} | ${r.access} | ${r.blocks} | ${r.ms.toFixed(1)} |`,
    );
} finally {
  await database.drop();
}
