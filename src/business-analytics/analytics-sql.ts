// SQL for a period in the account's time zone. Every analytics statement takes the same
// parameters ($1 account, $2 time zone, $3 first day, $4 last day, $5 interval, $6 today), so the
// fragments below mean the same everywhere: local midnights become instants in the database,
// and the period's bounds are constants the planner can match against (account_id, column) indexes.
import type { Row } from '../db/database.ts';
import type { SqlStatement } from '../db/inline-parameters.ts';
import { tenantRead } from '../platform/operations/tenant-read.ts';
import type { Runtime } from '../platform/contract.ts';
import { addDays, type Interval, type Window } from './analytics-window.ts';

/** The first instant of the period: local midnight starting `from`. */
export const PERIOD_START = `($3::date::timestamp AT TIME ZONE $2::text)`;
/** The first instant after the period: local midnight ending `to`. */
export const PERIOD_END = `(($4::date + 1)::timestamp AT TIME ZONE $2::text)`;
/** The account's local date today. */
export const TODAY = `$6::date`;

/** `column` falls within the period. */
export const inPeriod = (column: string) => `${column} >= ${PERIOD_START} AND ${column} < ${PERIOD_END}`;
/** The local calendar day of an instant. */
export const localDay = (column: string) => `(${column} AT TIME ZONE $2::text)::date`;
/** The series bucket (its first local day, as YYYY-MM-DD text) an instant falls in. */
export const bucketOf = (column: string) => `date_trunc($5::text, ${column} AT TIME ZONE $2::text)::date::text`;

/** One statement of a window, with the shared parameters. */
export function windowStatement(accountId: string, window: Window, sql: string): SqlStatement {
  return { sql, parameters: [accountId, window.timeZone, window.from, window.to, window.interval, window.today] };
}

// Settings for the analytics statements, whose aggregates read 10^4-10^5 rows (bench/README.md):
// - Just-in-time compilation starts once a statement's estimated cost passes jit_above_cost;
//   compiling then took longer than running (dashboard p95 837 -> 368 ms, jobs 796 -> 329 ms).
// - Parallel workers: starting and feeding them cost more than they saved at this size (the jobs
//   counts 41 ms with two workers, 27 ms without), and callers at once already share the cores.
const ANALYTICS_SETTINGS: SqlStatement[] = [
  { sql: 'SET LOCAL jit = off', parameters: [] },
  { sql: 'SET LOCAL max_parallel_workers_per_gather = 0', parameters: [] },
];

/** Runs statements in one round trip, as the tenant (RLS applies), with the settings above. */
export async function runAnalytics(
  runtime: Runtime,
  accountId: string,
  statements: readonly SqlStatement[],
): Promise<Row[][]> {
  const results = await tenantRead(runtime, accountId, [...ANALYTICS_SETTINGS, ...statements]);
  return results.slice(ANALYTICS_SETTINGS.length);
}

/** The account's time zone and its local date now (one round trip, before the period is known). */
export async function accountClock(runtime: Runtime, accountId: string): Promise<{ timeZone: string; today: string }> {
  const [[row]] = await tenantRead(runtime, accountId, [
    {
      sql: `SELECT tz AS time_zone, (now() AT TIME ZONE tz)::date::text AS today
              FROM (SELECT coalesce((SELECT time_zone FROM account_branding WHERE account_id = $1), 'UTC') AS tz) z`,
      parameters: [accountId],
    },
  ]);
  return { timeZone: row.time_zone, today: row.today };
}

/** Every bucket of the period, first day of each (the first one may start before `from`). */
export function bucketsOf(window: Window): string[] {
  const start = bucketStart(window.from, window.interval);
  const buckets: string[] = [];
  for (let day = start; day <= window.to; day = nextBucket(day, window.interval)) buckets.push(day);
  return buckets;
}

function bucketStart(date: string, interval: Interval): string {
  if (interval === 'day') return date;
  if (interval === 'month') return `${date.slice(0, 7)}-01`;
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday; ISO weeks start Monday
  return addDays(date, -((weekday + 6) % 7));
}

function nextBucket(day: string, interval: Interval): string {
  if (interval === 'day') return addDays(day, 1);
  if (interval === 'week') return addDays(day, 7);
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCMonth(next.getUTCMonth() + 1);
  return next.toISOString().slice(0, 10);
}

/** Working days (Monday to Friday) from `from` to `to`, both inclusive. */
export function workingDays(from: string, to: string): number {
  let count = 0;
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6) count++;
  }
  return count;
}

/** Counts and sums come back as strings from pg and numbers from PGlite: one number, 0 for null. */
export const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
/** A ratio rounded to 4 decimals; null when there is nothing to divide by. */
export const ratio = (part: number, whole: number): number | null =>
  whole ? Math.round((part / whole) * 10_000) / 10_000 : null;
/** Rows grouped by a key column, each group's rows in order. */
export function groupBy(rows: readonly Row[], key: string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const name = String(row[key]);
    groups.set(name, [...(groups.get(name) ?? []), row]);
  }
  return groups;
}
