// The request log's filters: read from and written to the page's URL query (so a link
// reproduces the view), and turned into GET /v1/request-logs query parameters.
import { logsCredential, trafficFrom, type TrafficChoice } from './traffic-filter.ts';

export type RangeChoice = '1h' | '24h' | '7d' | 'custom';

export interface LogFilters {
  /** '' (any), '2xx', '3xx', '4xx', '5xx' or an exact code such as '404'. */
  status: string;
  /** A route template, e.g. /v1/customers/{id}. */
  route: string;
  apiKeyId: string;
  range: RangeChoice;
  /** RFC 3339, for a custom range only. */
  from: string;
  to: string;
  /** Integrations only (the default) or all traffic, the portal's own session calls included. */
  traffic: TrafficChoice;
}

export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;
export const RANGE_LABELS: Record<RangeChoice, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  custom: 'Custom range',
};
const RANGE_MS: Record<Exclude<RangeChoice, 'custom'>, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
};

export function filtersFrom(params: URLSearchParams): LogFilters {
  const range = params.get('range');
  return {
    status: params.get('status') ?? '',
    route: params.get('route') ?? '',
    apiKeyId: params.get('key') ?? '',
    range: range && range in RANGE_LABELS ? (range as RangeChoice) : '24h',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    traffic: trafficFrom(params),
  };
}

/** The URL query of a view: only what differs from the defaults. */
export function searchOf(filters: LogFilters): string {
  const params = new URLSearchParams();
  if (filters.status) params.set('status', filters.status);
  if (filters.route) params.set('route', filters.route);
  if (filters.apiKeyId) params.set('key', filters.apiKeyId);
  if (filters.range !== '24h') params.set('range', filters.range);
  if (filters.range === 'custom') {
    if (filters.from) params.set('from', filters.from);
    if (filters.to) params.set('to', filters.to);
  }
  if (filters.traffic === 'all') params.set('traffic', 'all');
  return params.toString();
}

export function isExactStatus(status: string): boolean {
  return /^[1-5]\d\d$/.test(status);
}

function statusQuery(status: string): Record<string, string> {
  if (isExactStatus(status)) return { status };
  const digit = /^([1-5])xx$/.exec(status)?.[1];
  if (!digit) return {};
  const low = Number(digit) * 100;
  return { 'status[gte]': String(low), 'status[lt]': String(low + 100) };
}

/** GET /v1/request-logs parameters for `filters`, relative ranges ending at `now`. */
export function logsQuery(filters: LogFilters, now: number): Record<string, string> {
  const query: Record<string, string> = { ...statusQuery(filters.status), ...logsCredential(filters.traffic) };
  if (filters.route) query.route = filters.route;
  if (filters.apiKeyId) query.api_key_id = filters.apiKeyId;
  if (filters.range === 'custom') {
    if (filters.from) query['created_at[gte]'] = filters.from;
    if (filters.to) query['created_at[lte]'] = filters.to;
  } else {
    query['created_at[gte]'] = new Date(now - RANGE_MS[filters.range]).toISOString();
  }
  return query;
}

/** An RFC 3339 time as a datetime-local input shows it (the reader's time zone, to the minute). */
export function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/** A datetime-local input's value as RFC 3339 (UTC); '' when empty or invalid. */
export function fromLocalInput(value: string): string {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}
