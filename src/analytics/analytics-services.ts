// The services the analytics module provides, by key, and the options it reads.
import type { AlertEvaluator } from './alert-evaluator.ts';
import type { RequestLogWriter } from './request-log-writer.ts';
import { serviceKey } from '../platform/api/service-key.ts';

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    /** Days of request logs kept (whole daily partitions are dropped); default 30. */
    requestLogRetentionDays?: number;
    /** How often alert rules are evaluated; default a minute. */
    alertIntervalMs?: number;
  }
}

/** Writes request log entries in batches, off the request path. */
export const requestLogWriter = serviceKey<RequestLogWriter>('the request log writer');
/** Evaluates alert rules on a schedule (one node per round). */
export const alertEvaluator = serviceKey<AlertEvaluator>('the alert evaluator');
