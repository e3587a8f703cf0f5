// Prometheus metrics (prom-client), one registry per app so tests and several apps in a
// process never share counters. Route labels are templates (`/v1/jobs/{id}`), never raw paths.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'fieldline_http_requests_total', help: 'API requests by route template, method and status.',
    labelNames: ['method', 'route', 'status'] as const, registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'fieldline_http_request_duration_seconds', help: 'API request latency by route template and method.',
    labelNames: ['method', 'route'] as const, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly rateLimitRejections = new Counter({
    name: 'fieldline_rate_limit_rejections_total', help: 'Requests refused with 429 by bucket (read, write, expensive, ip, quota).',
    labelNames: ['bucket'] as const, registers: [this.registry],
  });

  readonly rateLimitStoreFailures = new Counter({
    name: 'fieldline_rate_limit_store_failures_total',
    help: 'Rate-limit checks the shared store (Redis) could not answer; each fell back to this node\'s own limits.',
    registers: [this.registry],
  });

  readonly requestLogsDropped = new Counter({
    name: 'fieldline_request_logs_dropped_total', help: 'Request log entries dropped because the queue was full or a write failed.',
    labelNames: ['reason'] as const, registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'fieldline_process_' });
  }

  /** A gauge read at scrape time, for values owned elsewhere (pool sizes, queue depths). */
  gaugeFrom(name: string, help: string, read: () => number): void {
    new Gauge({ name, help, registers: [this.registry], collect() { this.set(read()); } });
  }
}
