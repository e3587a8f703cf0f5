// Seeds customers straight into the table (as the owner, so RLS does not apply) with
// multi-row INSERTs: far faster than going through the API.
import pg from 'pg';
import { newId } from '../src/platform/ids.ts';

const PREFIXES = [
  'Northwind',
  'Acme',
  'Bluebird',
  'Cedar',
  'Summit',
  'Harbor',
  'Ironwood',
  'Maple',
  'Redstone',
  'Silverline',
];
const TRADES = ['Plumbing', 'Electric', 'Roofing', 'Landscaping', 'HVAC'];
/** 50 company names; each matches ~1/50 of the seeded customers. */
export const COMPANIES = PREFIXES.flatMap((prefix) => TRADES.map((trade) => `${prefix} ${trade}`));

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Linus'];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Hamilton',
  'Torvalds',
];
const COLUMNS = [
  'id',
  'account_id',
  'name',
  'email',
  'phone',
  'company',
  'address',
  'tags',
  'status',
  'notes',
  'created_at',
  'updated_at',
];
const BATCH = 1000;
const YEAR_MS = 365 * 24 * 3600 * 1000;

function customerRow(accountId: string, i: number, now: number): unknown[] {
  const first = FIRST[i % FIRST.length];
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
  const status = i % 20 < 14 ? 'active' : i % 20 < 17 ? 'inactive' : 'lead';
  const tags = i % 5 === 0 ? ['vip'] : i % 7 === 0 ? ['commercial'] : [];
  const created = new Date(now - Math.floor(Math.random() * YEAR_MS)).toISOString();
  return [
    newId('cus'),
    accountId,
    `${first} ${last} ${i}`,
    `${first}.${last}.${i}@example.com`.toLowerCase(),
    `+1 555 ${String(i % 10_000).padStart(4, '0')}`,
    COMPANIES[i % COMPANIES.length],
    null,
    tags,
    status,
    i % 3 === 0 ? 'Prefers morning visits.' : null,
    created,
    created,
  ];
}

/** Inserts `count` customers for `accountId`; returns their ids. */
export async function seedCustomers(databaseUrl: string, accountId: string, count: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const ids: string[] = [];
  const now = Date.now();
  try {
    for (let start = 0; start < count; start += BATCH) {
      const rows = Array.from({ length: Math.min(BATCH, count - start) }, (_, k) =>
        customerRow(accountId, start + k, now),
      );
      const values = rows.map((_, r) => `(${COLUMNS.map((__, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`);
      await client.query(`INSERT INTO customers (${COLUMNS.join(', ')}) VALUES ${values.join(', ')}`, rows.flat());
      ids.push(...rows.map((row) => row[0] as string));
    }
    await client.query('ANALYZE customers');
  } finally {
    await client.end();
  }
  return ids;
}
