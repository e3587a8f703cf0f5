// What an alert rule can watch, in a person's words: each metric's name, unit and whether the
// window and the minimum number of requests apply (mirrors src/analytics/alert-metrics.ts).
import type { Schema } from '../api.ts';
import { formatNumber } from './format.ts';

export type AlertRule = Schema<'AlertRule'>;
export type Alert = Schema<'Alert'>;
export type MetricName = AlertRule['metric'];

interface MetricWords {
  label: string;
  /** Short unit shown after a value: "%", "ms", " requests". */
  unit: string;
  hint: string;
  /** A share or percentile: too few requests in the window never fire (min_requests). */
  sampled: boolean;
  /** The sliding window applies (quota use is the month so far). */
  windowed: boolean;
}

export const METRICS: Record<MetricName, MetricWords> = {
  error_rate: {
    label: 'Error rate',
    unit: ' %',
    hint: 'Share of requests answered with a 4xx or 5xx status, in percent (0–100).',
    sampled: true,
    windowed: true,
  },
  server_errors: {
    label: 'Server errors (5xx)',
    unit: ' requests',
    hint: 'Number of 5xx responses in the window.',
    sampled: false,
    windowed: true,
  },
  p95_latency_ms: {
    label: 'p95 latency',
    unit: ' ms',
    hint: '95th percentile of response time in the window, in milliseconds.',
    sampled: true,
    windowed: true,
  },
  rate_limited: {
    label: 'Rate-limited requests (429)',
    unit: ' requests',
    hint: 'Number of 429 responses (rate limits and the monthly quota) in the window.',
    sampled: false,
    windowed: true,
  },
  quota_use: {
    label: 'Monthly quota used',
    unit: ' %',
    hint: 'Share of the month’s request quota used so far, in percent.',
    sampled: false,
    windowed: false,
  },
};

export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export function metricValue(metric: MetricName | null, value: number | null | undefined): string {
  return value == null ? '—' : `${formatNumber(value, 2)}${metric ? (METRICS[metric]?.unit ?? '') : ''}`;
}

/** "Error rate ≥ 5 % over 5 min" */
export function ruleCondition(rule: Pick<AlertRule, 'metric' | 'threshold' | 'window_minutes'>): string {
  const words = METRICS[rule.metric];
  const over = words?.windowed ? ` over ${rule.window_minutes} min` : ' this month';
  return `${words?.label ?? rule.metric} ≥ ${metricValue(rule.metric, rule.threshold)}${over}`;
}
