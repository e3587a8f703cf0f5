// The services the limits module provides, by key, and the options it reads.
import type { Redis } from 'ioredis';
import type { MonthlyQuota } from './monthly-quota.ts';
import type { RequestRateLimiter } from './request-rate-limiter.ts';
import { serviceKey } from '../platform/api/service-key.ts';

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    /** Shared rate-limit counters for several nodes; absent: per-node memory. */
    redis?: Redis;
  }
}

/** Counts calls per subject in fixed windows (memory, or Redis shared by every node). */
export const rateLimiter = serviceKey<RequestRateLimiter>('the rate limiter');
/** API requests per account and month. */
export const requestQuota = serviceKey<MonthlyQuota>('the monthly request quota');
/** Webhook deliveries per account and month. */
export const deliveryQuota = serviceKey<MonthlyQuota>('the monthly webhook delivery quota');
/** Automation runs started per account and month. */
export const automationRunQuota = serviceKey<MonthlyQuota>('the monthly automation run quota');
/** LLM tokens (input and output) per account and month. */
export const aiTokenQuota = serviceKey<MonthlyQuota>('the monthly AI token quota');
