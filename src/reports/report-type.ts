// What a report type is: its params (validated when the report is asked for), its columns
// (declared once: CSV, XLSX and PDF are all written from them) and the query that reads its
// rows, in the order they are printed, from one account's data.
import { z } from 'zod';
import type { SqlStatement } from '../db/inline-parameters.ts';
import { dateSchema } from '../platform/resource/fields.ts';

/**
 * How a column's values are written: `money` is an integer of minor units (its row's `currency`
 * column names the currency), `datetime` a timestamp shown in the account's time zone, `date` a
 * calendar day.
 */
export type ColumnKind = 'text' | 'integer' | 'money' | 'currency' | 'date' | 'datetime';

export interface ReportColumn {
  /** The column of the query's rows it shows. */
  key: string;
  header: string;
  kind: ColumnKind;
  /** Relative width in the PDF table (default 1). */
  width?: number;
}

/** Where the query runs: the account's time zone and the day it is there. */
export interface QueryContext {
  timeZone: string;
  today: string;
}

export interface ReportType<P extends Record<string, unknown> = Record<string, unknown>> {
  name: string;
  title: string;
  description: string;
  params: z.ZodType<P>;
  columns: readonly ReportColumn[];
  /** The rows, ordered, of the account the tenant transaction is in (RLS holds it there too). */
  query(params: P, context: QueryContext): SqlStatement;
}

export const defineReportType = <P extends Record<string, unknown>>(type: ReportType<P>): ReportType =>
  type as unknown as ReportType;

/** The longest period a report may cover. */
export const MAX_RANGE_DAYS = 3660;

const DAY_MS = 86_400_000;

/** `from` and `to` (both inclusive local days), checked for order and length, at `to`. */
export const dateRange = z.object({
  from: dateSchema().describe('The first day, in the account’s time zone (YYYY-MM-DD).'),
  to: dateSchema().describe('The last day, inclusive.'),
});

/** A schema of strict params with a date range, refused at `to` when reversed or too long. */
export function rangeParams<S extends z.ZodRawShape>(extra: S) {
  return z.strictObject({ ...dateRange.shape, ...extra }).superRefine((value, check) => {
    const { from, to } = value as { from: string; to: string };
    const days = (Date.parse(to) - Date.parse(from)) / DAY_MS;
    if (days < 0) check.addIssue({ code: 'custom', path: ['to'], message: 'must not be before `from`' });
    if (days > MAX_RANGE_DAYS)
      check.addIssue({
        code: 'custom',
        path: ['to'],
        message: `must be at most ${MAX_RANGE_DAYS} days after \`from\``,
      });
  });
}

/** The instant a local day starts, in SQL: `$day` at midnight in `$zone`. */
export const localMidnight = (day: string, zone: string) => `((${day})::date::timestamp AT TIME ZONE ${zone})`;
