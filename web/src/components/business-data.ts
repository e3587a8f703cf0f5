// The business page's data: the analytics answers' types, money in a currency's minor unit, the
// range presets (counted from the account's today, which the dashboard answer states) and the
// series' buckets as chart timestamps.
import type { fieldline } from '../api.ts';

type Answer<F extends (...args: any[]) => Promise<unknown>> = Awaited<ReturnType<F>>;
export type Dashboard = Answer<typeof fieldline.analytics.getDashboard>;
export type RevenueAnalytics = Answer<typeof fieldline.analytics.getRevenue>;
export type JobsAnalytics = Answer<typeof fieldline.analytics.getJobs>;

export const INTERVALS = { day: 'Day', week: 'Week', month: 'Month' } as const;
export type Interval = keyof typeof INTERVALS;
export const isInterval = (value: string | null): value is Interval => value !== null && value in INTERVALS;

const DAY_MS = 86_400_000;
/** A calendar date `days` after `date` (both YYYY-MM-DD), as the server counts them. */
export const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** Ranges ending today (the account's today). "30d" is what the API answers when no range is given. */
export const PRESETS = {
  '7d': { label: 'Last 7 days', window: (today: string) => ({ from: addDays(today, -6), to: today }) },
  '30d': { label: 'Last 30 days', window: (today: string) => ({ from: addDays(today, -29), to: today }) },
  month: { label: 'This month', window: (today: string) => ({ from: `${today.slice(0, 7)}-01`, to: today }) },
  '90d': { label: 'Last 90 days', window: (today: string) => ({ from: addDays(today, -89), to: today }) },
} as const;
export type PresetId = keyof typeof PRESETS;
export const DEFAULT_PRESET: PresetId = '30d';

/** The preset a window is, or 'custom'. */
export function presetOf(from: string, to: string, today: string | undefined): PresetId | 'custom' {
  if (!today) return 'custom';
  const found = (Object.keys(PRESETS) as PresetId[]).find((id) => {
    const window = PRESETS[id].window(today);
    return window.from === from && window.to === to;
  });
  return found ?? 'custom';
}

function currencyFormat(currency: string): Intl.NumberFormat {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency });
  } catch {
    return new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
}

/** Digits of the currency's minor unit (2 for USD, 0 for JPY), as Intl knows them. */
export const minorDigits = (currency: string) => currencyFormat(currency).resolvedOptions().maximumFractionDigits ?? 2;

/** An amount in minor units, in the reader's locale: 11000 USD -> "$110.00". */
export function formatMoney(minor: number | null | undefined, currency: string): string {
  if (minor === null || minor === undefined) return '—';
  return currencyFormat(currency).format(minor / 10 ** minorDigits(currency));
}

/** A bucket's first day (YYYY-MM-DD) as Unix seconds at local midnight, so the axis shows that day. */
export function bucketSeconds(bucket: string): number {
  const [year, month, day] = bucket.split('-').map(Number);
  return new Date(year, month - 1, day).getTime() / 1000;
}

/** How a bucket reads in a chart's table: "Jan 5, 2026", "Week of Jan 5, 2026", "January 2026". */
export function bucketLabel(interval: Interval): (seconds: number) => string {
  return (seconds) => {
    const date = new Date(seconds * 1000);
    if (interval === 'month') return date.toLocaleDateString(undefined, { month: 'long', year: 'numeric' });
    const day = date.toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: 'numeric' });
    return interval === 'week' ? `Week of ${day}` : day;
  };
}
