// Traffic control as every call meets it: a credential's rate per bucket, then its account's
// monthly quota; calls to open operations per address; and failed authentications per address,
// so guessing keys, inbound URLs or signatures gets 429s after a few dozen tries a minute.
import { Counter, type Registry as MetricsRegistry } from 'prom-client';
import { ApiError } from '../platform/errors.ts';
import { rateSubject, type Principal } from '../platform/operations/principal.ts';
import type { RateBucket, RatePolicy } from '../platform/api/traffic.ts';
import type { RateReport, TrafficControl } from '../platform/api/traffic-control.ts';
import type { RequestRateLimiter } from './request-rate-limiter.ts';
import type { MonthlyQuota } from './monthly-quota.ts';

/** Failed authentications allowed per IP address and minute before answers turn into 429s. */
export const FAILED_AUTH_PER_IP: RatePolicy = { limit: 30, windowSeconds: 60 };
/** Calls to operations open to anyone (sign-up, sign-in, password reset) per IP address and minute. */
export const PUBLIC_CALLS_PER_IP: RatePolicy = { limit: 60, windowSeconds: 60 };

export class TrafficLimits implements TrafficControl {
  readonly #rejections: Counter<'bucket'>;

  constructor(
    private readonly rateLimiter: RequestRateLimiter,
    private readonly quota: MonthlyQuota,
    metrics: MetricsRegistry,
  ) {
    this.#rejections = new Counter({
      name: 'fieldline_rate_limit_rejections_total',
      help: 'Requests refused with 429 by bucket (read, write, expensive, public, failed_auth, quota).',
      labelNames: ['bucket'] as const,
      registers: [metrics],
    });
  }

  async charge(principal: Principal, bucket: RateBucket, report?: RateReport): Promise<void> {
    const rate = await this.rateLimiter.consume(bucket, rateSubject(principal), principal.rates[bucket]);
    report?.(bucket, rate);
    if (!rate.allowed) {
      this.#rejections.inc({ bucket });
      throw new ApiError(
        'rate_limited',
        `Too many ${bucket} requests for this credential: ${rate.limit} per ${rate.windowSeconds} s. ` +
          `Retry after ${rate.resetSeconds} s.`,
        { headers: { 'Retry-After': String(rate.resetSeconds) } },
      );
    }
    const quota = this.quota.take(principal.accountId, principal.plan);
    if (!quota.allowed) {
      this.#rejections.inc({ bucket: 'quota' });
      throw new ApiError(
        'quota_exceeded',
        `This account has used its ${quota.state.limit} requests for ${quota.state.period} ` +
          `(plan '${principal.plan.name}'). ` +
          'The quota resets at the start of next month (UTC).',
        { headers: { 'Retry-After': String(quota.state.resetSeconds) } },
      );
    }
  }

  async chargeAddress(ip: string | null, report?: RateReport): Promise<void> {
    const rate = await this.rateLimiter.consume('public', ip ?? 'unknown', PUBLIC_CALLS_PER_IP);
    report?.('public', rate);
    if (!rate.allowed) {
      this.#rejections.inc({ bucket: 'public' });
      throw new ApiError(
        'rate_limited',
        `Too many calls from this address: ${rate.limit} per ${rate.windowSeconds} s. ` +
          `Retry after ${rate.resetSeconds} s.`,
        { headers: { 'Retry-After': String(rate.resetSeconds) } },
      );
    }
  }

  async countFailedAuthentication(ip: string | null): Promise<void> {
    if (!ip) return;
    const failures = await this.rateLimiter.consume('failed_auth', ip, FAILED_AUTH_PER_IP);
    if (!failures.allowed) {
      this.#rejections.inc({ bucket: 'failed_auth' });
      throw new ApiError(
        'rate_limited',
        `Too many failed authentications from this address. Retry after ${failures.resetSeconds} s.`,
        { headers: { 'Retry-After': String(failures.resetSeconds) } },
      );
    }
  }
}
