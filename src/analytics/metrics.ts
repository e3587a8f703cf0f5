// Prometheus metrics (prom-client), one registry per app so tests and several apps in a
// process never share counters. Route labels are templates (`/v1/jobs/{id}`), never raw paths.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { RequestSeries } from './request-series.ts';

export class Metrics {
  readonly registry = new Registry();

  /** Request counts and latency, the only per-request series (see request-series.ts). */
  readonly #requests = new RequestSeries(this.registry);

  readonly rateLimitRejections = new Counter({
    name: 'fieldline_rate_limit_rejections_total',
    help: 'Requests refused with 429 by bucket (read, write, expensive, ip, quota).',
    labelNames: ['bucket'] as const,
    registers: [this.registry],
  });

  readonly rateLimitStoreFailures = new Counter({
    name: 'fieldline_rate_limit_store_failures_total',
    help: "Rate-limit checks the shared store (Redis) could not answer; each fell back to this node's own limits.",
    registers: [this.registry],
  });

  readonly requestLogsDropped = new Counter({
    name: 'fieldline_request_logs_dropped_total',
    help: 'Request log entries dropped because the queue was full or a write failed.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'fieldline_process_' });
  }

  /** Counts one API request and its latency. Labels are route templates, never raw paths. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.#requests.observe(method, route, status, seconds);
  }

  /** A gauge read at scrape time, for values owned elsewhere (pool sizes, queue depths). */
  gaugeFrom(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }
}
