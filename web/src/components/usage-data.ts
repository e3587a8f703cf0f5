// The usage dashboard's arithmetic: ranges and their buckets, GET /v1/usage answers turned into
// chart series, one key's share of a per-key answer, and per-route / per-key totals.
import type { fieldline } from '../api.ts';

export type Usage = Awaited<ReturnType<typeof fieldline.usage.get>>;
export type UsageStats = Usage['summary'];
export type UsageBucket = Usage['buckets'][number];

export type RangeId = '24h' | '7d-hour' | '7d' | '30d';

export const RANGES: Record<RangeId, { label: string; hours: number; bucket: 'hour' | 'day' }> = {
  '24h': { label: 'Last 24 hours, by hour', hours: 24, bucket: 'hour' },
  '7d-hour': { label: 'Last 7 days, by hour', hours: 7 * 24, bucket: 'hour' },
  '7d': { label: 'Last 7 days, by day', hours: 7 * 24, bucket: 'day' },
  '30d': { label: 'Last 30 days, by day', hours: 30 * 24, bucket: 'day' },
};

export const isRangeId = (value: string | null): value is RangeId => value !== null && value in RANGES;

export function rangeWindow(range: RangeId, now: number): { from: string; to: string } {
  return { from: new Date(now - RANGES[range].hours * 3_600_000).toISOString(), to: new Date(now).toISOString() };
}

/**
 * Every bucket start of the window in unix seconds (UTC hours or days, as the server truncates),
 * plus any start the answer has that the grid lacks: empty buckets draw as zero, not as a gap.
 */
export function bucketGrid(from: string, to: string, bucket: 'hour' | 'day', starts: string[]): number[] {
  const step = bucket === 'hour' ? 3600 : 86_400;
  const first = Math.floor(Date.parse(from) / 1000 / step) * step;
  const end = Date.parse(to) / 1000;
  const grid = new Set<number>();
  for (let t = first; t < end; t += step) grid.add(t);
  for (const start of starts) grid.add(Math.floor(Date.parse(start) / 1000));
  return [...grid].sort((a, b) => a - b);
}

export interface SeriesSet {
  timestamps: number[];
  requests: number[];
  errors: number[];
  /** Percent, null where there were no requests. */
  errorRate: (number | null)[];
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
}

/** Chart series from the buckets of one group (or of an ungrouped answer). */
export function seriesOf(usage: Pick<Usage, 'from' | 'to' | 'bucket'>, buckets: UsageBucket[]): SeriesSet {
  const timestamps = bucketGrid(
    usage.from,
    usage.to,
    usage.bucket,
    buckets.map((b) => b.start),
  );
  const at = new Map(buckets.map((b) => [Math.floor(Date.parse(b.start) / 1000), b]));
  const pick = <T>(read: (b: UsageBucket) => T, empty: T) =>
    timestamps.map((t) => {
      const b = at.get(t);
      return b ? read(b) : empty;
    });
  return {
    timestamps,
    requests: pick((b) => b.requests, 0),
    errors: pick((b) => b.client_errors + b.server_errors, 0),
    errorRate: pick(
      (b) => (b.requests ? Math.round((10_000 * (b.client_errors + b.server_errors)) / b.requests) / 100 : null),
      null,
    ),
    p50: pick((b) => b.p50_ms, null),
    p95: pick((b) => b.p95_ms, null),
    p99: pick((b) => b.p99_ms, null),
  };
}

export interface GroupTotals {
  group: string | null;
  requests: number;
  errors: number;
  rateLimited: number;
  errorRate: number;
  /** The highest p95 of any bucket (percentiles do not add up across buckets). */
  worstP95: number | null;
}

/** Per-group totals over the whole window, busiest first. */
export function totalsByGroup(buckets: UsageBucket[]): GroupTotals[] {
  const totals = new Map<string | null, GroupTotals>();
  for (const b of buckets) {
    const t = totals.get(b.group) ?? {
      group: b.group,
      requests: 0,
      errors: 0,
      rateLimited: 0,
      errorRate: 0,
      worstP95: null,
    };
    t.requests += b.requests;
    t.errors += b.client_errors + b.server_errors;
    t.rateLimited += b.rate_limited;
    if (b.p95_ms !== null && (t.worstP95 === null || b.p95_ms > t.worstP95)) t.worstP95 = b.p95_ms;
    totals.set(b.group, t);
  }
  return [...totals.values()]
    .map((t) => ({ ...t, errorRate: t.requests ? t.errors / t.requests : 0 }))
    .sort((a, b) => b.requests - a.requests || String(a.group).localeCompare(String(b.group)));
}
