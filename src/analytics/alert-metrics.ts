// What an alert rule can watch: each metric's unit, meaning and how it is read from the
// request log aggregates (STATS_SQL) or the month's usage counter. The rule declaration, its
// documentation and the evaluator all read this one list.

/** Aggregates of an account's requests in a rule's window (see STATS_SQL). */
export interface WindowStats {
  requests: number;
  client_errors: number;
  server_errors: number;
  rate_limited: number;
  /** Microseconds; null without requests. */
  p95: number | null;
}

export interface MetricInput {
  window: WindowStats;
  /** Requests used this month / the plan's monthly quota. */
  quotaShare: number;
}

interface AlertMetric {
  unit: string;
  description: string;
  /** A share or percentile of too few requests says nothing: such metrics honour min_requests. */
  sampled: boolean;
  read(input: MetricInput): number | null;
}

export const ALERT_METRICS = {
  error_rate: {
    unit: 'percent',
    sampled: true,
    description: 'Share of requests answered with a 4xx or 5xx status, in percent (0-100).',
    read: ({ window: w }) => (w.requests ? (100 * (w.client_errors + w.server_errors)) / w.requests : null),
  },
  server_errors: {
    unit: 'requests',
    sampled: false,
    description: 'Number of 5xx responses.',
    read: ({ window: w }) => w.server_errors,
  },
  p95_latency_ms: {
    unit: 'milliseconds',
    sampled: true,
    description: '95th percentile of response time, in milliseconds.',
    read: ({ window: w }) => (w.p95 === null ? null : w.p95 / 1000),
  },
  rate_limited: {
    unit: 'requests',
    sampled: false,
    description: 'Number of 429 responses (rate limits and the monthly quota).',
    read: ({ window: w }) => w.rate_limited,
  },
  quota_use: {
    unit: 'percent',
    sampled: false,
    description: 'Share of the monthly request quota used so far, in percent (the window does not apply).',
    read: ({ quotaShare }) => 100 * quotaShare,
  },
} satisfies Record<string, AlertMetric>;

export type AlertMetricName = keyof typeof ALERT_METRICS;
export const ALERT_METRIC_NAMES = Object.keys(ALERT_METRICS) as [AlertMetricName, ...AlertMetricName[]];

/** The Markdown list of metrics used in the rule's documentation. */
export const metricDocs = () =>
  ALERT_METRIC_NAMES.map((name) => `\`${name}\`: ${ALERT_METRICS[name].description}`).join(' ');
