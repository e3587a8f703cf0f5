// GET /v1/rate-limit: the caller's request rates (per bucket, with what is left of the
// current window) and the account's monthly quota, so a client can pace itself.
import { z } from 'zod';
import { defineEndpoint } from '../platform/routes/endpoint-spec.ts';
import type { RequestRateLimiter } from './request-rate-limiter.ts';
import type { MonthlyQuota } from './monthly-quota.ts';
import { RATE_BUCKETS } from './plans.ts';
import { rateSubject } from '../platform/operations/principal.ts';

const RateLimitStatus = z.object({
  object: z.literal('rate_limit'),
  plan: z.string(),
  store: z.enum(['memory', 'redis']).describe('`redis`: limits are shared by every API node; `memory`: per node.'),
  policies: z.array(z.object({
    bucket: z.enum(RATE_BUCKETS).describe('`read` (GET), `write` (POST/PATCH/DELETE), `expensive` (export, bulk, search with `q`, analytics).'),
    limit: z.int(), window_seconds: z.int(), remaining: z.int(), reset_seconds: z.int(),
  })),
  quota: z.object({
    period: z.string().describe('Calendar month (UTC), `YYYY-MM`.'),
    requests_used: z.int(), requests_limit: z.int(), reset_seconds: z.int(),
  }),
});

export function rateLimitEndpoint(rateLimiter: RequestRateLimiter, quota: MonthlyQuota) {
  return defineEndpoint({
    method: 'get', path: '/v1/rate-limit', operationId: 'getRateLimit', tag: 'Traffic', scope: null, bucket: 'read',
    summary: 'Your current rate limits and monthly quota',
    description: 'Any valid credential may call this. The numbers include this request.',
    response: RateLimitStatus,
    async handle({ principal }) {
      const subject = rateSubject(principal);
      const policies = await Promise.all(RATE_BUCKETS.map(async (bucket) => {
        const state = await rateLimiter.peek(bucket, subject, principal.rates[bucket]);
        return { bucket, limit: state.limit, window_seconds: state.windowSeconds, remaining: state.remaining, reset_seconds: state.resetSeconds };
      }));
      const month = quota.state(principal.accountId, principal.plan);
      return {
        status: 200,
        body: {
          data: {
            object: 'rate_limit', plan: principal.plan.name, store: rateLimiter.store, policies,
            quota: { period: month.period, requests_used: month.used, requests_limit: month.limit, reset_seconds: month.resetSeconds },
          },
        },
      };
    },
  });
}
