// The window every business analytics endpoint reads: `from`/`to` local calendar dates of the
// account's time zone (both inclusive), an `interval` for the series, and optionally the
// previous period of equal length. Dates are validated here; boundaries become instants in SQL.
import { z } from 'zod';
import { badRequest } from '../platform/errors.ts';

export const INTERVALS = ['day', 'week', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];

/** The longest window per interval, in days (so a series never has more than ~370 points). */
export const MAX_RANGE_DAYS: Record<Interval, number> = { day: 366, week: 3 * 366, month: 5 * 366 };
const DEFAULT_DAYS = 30;
const DAY_MS = 86_400_000;

const isoDate = z.iso.date();

export const windowQuery = {
  from: isoDate
    .optional()
    .describe(
      'First day of the period (YYYY-MM-DD, inclusive), a calendar day in the account time zone. ' +
        `Default: ${DEFAULT_DAYS - 1} days before \`to\`.`,
    ),
  to: isoDate
    .optional()
    .describe("Last day of the period (YYYY-MM-DD, inclusive). Default: today in the account's time zone."),
  interval: z
    .enum(INTERVALS)
    .default('day')
    .describe(
      'Bucket width of the series: calendar days, ISO weeks (starting Monday) or calendar months, each labelled ' +
        'by its first day; the first and last buckets may be partial. Longest period: ' +
        `${MAX_RANGE_DAYS.day} days by day, ${MAX_RANGE_DAYS.week} by week, ${MAX_RANGE_DAYS.month} by month.`,
    ),
  compare: z
    .enum(['previous_period'])
    .optional()
    .describe('Also compute `previous_period`: the same figures for the equal-length period just before `from`.'),
};

export interface WindowQuery {
  from?: string;
  to?: string;
  interval: Interval;
  compare?: 'previous_period';
}

/** A period: local dates (inclusive), the account's time zone, the series' bucket. */
export interface Window {
  from: string;
  to: string;
  timeZone: string;
  interval: Interval;
  /** The account's local date today (for "as of now" figures: overdue, aging). */
  today: string;
}

export const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const daysFrom = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

/** The period asked for and, with `compare`, the one before it; a reversed or too long window is a 400. */
export function resolveWindows(
  query: WindowQuery,
  timeZone: string,
  today: string,
): { current: Window; previous?: Window } {
  const to = query.to ?? today;
  const from = query.from ?? addDays(to, -(DEFAULT_DAYS - 1));
  if (from > to) throw badRequest('from: must not be after to', [{ path: 'from', message: 'must not be after to' }]);
  const days = daysFrom(from, to) + 1;
  const max = MAX_RANGE_DAYS[query.interval];
  if (days > max) {
    const message = `the period can span at most ${max} days with interval=${query.interval}`;
    throw badRequest(`from: ${message}`, [{ path: 'from', message }]);
  }
  const current: Window = { from, to, timeZone, interval: query.interval, today };
  if (!query.compare) return { current };
  return { current, previous: { ...current, from: addDays(from, -days), to: addDays(from, -1) } };
}

/** The period as the answer states it. */
export const periodOf = (window: Window) => ({ from: window.from, to: window.to });

export const PeriodSchema = {
  from: z.string().describe('First day (inclusive), in the account time zone.'),
  to: z.string().describe('Last day (inclusive).'),
};
