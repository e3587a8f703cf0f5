// Calendar arithmetic of service agreements, on plain dates (YYYY-MM-DD). Visit n is the first
// visit plus n intervals, counted from the first visit and never from the visit before, so a
// monthly agreement starting on Jan 31 visits on Feb 28 and then on Mar 31 (a month too short for
// the day takes its last day). Terms end the day before the next term would start.

export const INTERVAL_UNITS = ['week', 'month', 'year'] as const;
export type IntervalUnit = (typeof INTERVAL_UNITS)[number];

export interface VisitSchedule {
  starts_on: string;
  interval_unit: IntervalUnit;
  interval_count: number;
}

const DAY_MS = 86_400_000;
const toUtc = (date: string) => Date.parse(`${date}T00:00:00Z`);
const fromUtc = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const addDays = (date: string, days: number): string => fromUtc(toUtc(date) + days * DAY_MS);

/** `date` plus `months` calendar months, on the same day or the last day of a shorter month. */
export function addMonths(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number);
  const target = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(target / 12);
  const targetMonth = target - targetYear * 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  return fromUtc(Date.UTC(targetYear, targetMonth, Math.min(day, lastDay)));
}

/** The date of visit `n` (0: the first). */
export function visitOn(schedule: VisitSchedule, n: number): string {
  const { starts_on, interval_unit, interval_count } = schedule;
  if (interval_unit === 'week') return addDays(starts_on, 7 * interval_count * n);
  return addMonths(starts_on, (interval_unit === 'year' ? 12 : 1) * interval_count * n);
}

/** The first visit on a date after `date` (the first visit itself when `date` is before it). */
export function firstVisitAfter(schedule: VisitSchedule, date: string): string {
  if (date < schedule.starts_on) return schedule.starts_on;
  // An estimate from the average interval, then corrected by the real dates (clamping moves some).
  const averageDays = { week: 7, month: 30.436875, year: 365.2425 }[schedule.interval_unit] * schedule.interval_count;
  let n = Math.max(0, Math.floor((toUtc(date) - toUtc(schedule.starts_on)) / DAY_MS / averageDays));
  while (n > 0 && visitOn(schedule, n) > date) n--;
  while (visitOn(schedule, n) <= date) n++;
  return visitOn(schedule, n);
}

/**
 * The visits from `from` (a visit date) on, up to `until` included, at most `limit` of them, and
 * the first visit left over: what one round of generation makes, and where the next one starts.
 */
export function dueVisits(
  schedule: VisitSchedule,
  from: string,
  until: string,
  limit: number,
): { visits: string[]; next: string } {
  const visits: string[] = [];
  let next = from;
  while (next <= until && visits.length < limit) {
    visits.push(next);
    next = firstVisitAfter(schedule, next);
  }
  return { visits, next };
}

/** The last day of a term of `months` months starting on `startsOn`. */
export const termEndsOn = (startsOn: string, months: number): string => addDays(addMonths(startsOn, months), -1);

/** The calendar day it is at `now` in `timeZone` (an IANA name). */
export const dayIn = (now: number, timeZone: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone }).format(now);
