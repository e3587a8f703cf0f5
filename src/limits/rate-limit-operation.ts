// GET /v1/rate-limit: the caller's request rates (per bucket, with what is left of the
// current window) and the account's monthly quotas (requests, webhook deliveries, automation runs), so a client
// can pace itself.
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { RATE_BUCKETS } from '../platform/api/traffic.ts';
import { rateSubject } from '../platform/operations/principal.ts';
import { aiTokenQuota, automationRunQuota, deliveryQuota, rateLimiter, requestQuota } from './limits-services.ts';

const RateLimitStatus = z.object({
  object: z.literal('rate_limit'),
  plan: z.string(),
  store: z.enum(['memory', 'redis']).describe('`redis`: limits are shared by every API node; `memory`: per node.'),
  policies: z.array(
    z.object({
      bucket: z
        .enum(RATE_BUCKETS)
        .describe('`read` (GET), `write` (POST/PATCH/DELETE), `expensive` (export, bulk, search with `q`, analytics).'),
      limit: z.int(),
      window_seconds: z.int(),
      remaining: z.int(),
      reset_seconds: z.int(),
    }),
  ),
  quota: z.object({
    period: z.string().describe('Calendar month (UTC), `YYYY-MM`.'),
    requests_used: z.int(),
    requests_limit: z.int(),
    webhook_deliveries_used: z
      .int()
      .describe('Events sent to an endpoint for the first time this month (retries and tests are free).'),
    webhook_deliveries_limit: z
      .int()
      .describe('Past it, deliveries stay queued until the month ends; none is dropped.'),
    automation_runs_used: z.int().describe('Runs of automation rules and workflows started this month.'),
    automation_runs_limit: z
      .int()
      .describe('Past it, a rule’s run is recorded failed, saying why; a workflow started by hand answers 429.'),
    ai_tokens_used: z.int().describe('LLM tokens (input and output) used this month by AI drafts and voice commands.'),
    ai_tokens_limit: z.int().describe('Past it, calls to LLM providers are refused (429 `quota_exceeded`).'),
    reset_seconds: z.int(),
  }),
});

export const rateLimitOperation = defineOperation({
  method: 'get',
  path: '/v1/rate-limit',
  operationId: 'getRateLimit',
  tag: 'Traffic',
  scope: null,
  bucket: 'read',
  summary: 'Your current rate limits and monthly quotas',
  description: 'Any valid credential may call this. The numbers include this request.',
  response: RateLimitStatus,
  async handle({ runtime, principal }) {
    const limiter = runtime.use(rateLimiter);
    const subject = rateSubject(principal);
    const policies = await Promise.all(
      RATE_BUCKETS.map(async (bucket) => {
        const state = await limiter.peek(bucket, subject, principal.rates[bucket]);
        return {
          bucket,
          limit: state.limit,
          window_seconds: state.windowSeconds,
          remaining: state.remaining,
          reset_seconds: state.resetSeconds,
        };
      }),
    );
    const [requests, deliveries, runs, aiTokens] = await Promise.all(
      [requestQuota, deliveryQuota, automationRunQuota, aiTokenQuota].map((quota) =>
        runtime.use(quota).current(principal.accountId, principal.plan),
      ),
    );
    return {
      status: 200,
      body: {
        data: {
          object: 'rate_limit',
          plan: principal.plan.name,
          store: limiter.store,
          policies,
          quota: {
            period: requests.period,
            requests_used: requests.used,
            requests_limit: requests.limit,
            webhook_deliveries_used: deliveries.used,
            webhook_deliveries_limit: deliveries.limit,
            automation_runs_used: runs.used,
            automation_runs_limit: runs.limit,
            ai_tokens_used: aiTokens.used,
            ai_tokens_limit: aiTokens.limit,
            reset_seconds: requests.resetSeconds,
          },
        },
      },
    };
  },
});
