// Traffic control: request rates per credential and bucket, monthly quotas per account (API
// requests, webhook deliveries, automation runs and LLM tokens, with a warning event at 80 %),
// and the per-address limits of open operations and failed authentications. GET /v1/rate-limit
// shows a caller where it stands.
import { Counter } from 'prom-client';
import { defineModule, provide } from '../platform/api/module.ts';
import { trafficControl } from '../platform/api/traffic-control.ts';
import { appendPlatformEvent } from '../platform/events/platform-events.ts';
import { LIMITS_MIGRATIONS } from './limits-migrations.ts';
import { MonthlyQuota, type QuotaMetric, type QuotaState } from './monthly-quota.ts';
import { RequestRateLimiter } from './request-rate-limiter.ts';
import { rateLimitOperation } from './rate-limit-operation.ts';
import { aiTokenQuota, automationRunQuota, deliveryQuota, rateLimiter, requestQuota } from './limits-services.ts';
import { TrafficLimits } from './traffic-limits.ts';
import type { Runtime } from '../platform/contract.ts';

const QUOTA_WARNING = 'account.quota_warning';

function monthlyQuota(runtime: Runtime, metric: QuotaMetric): MonthlyQuota {
  const onWarning = (accountId: string, state: QuotaState) =>
    appendPlatformEvent(runtime.db, accountId, QUOTA_WARNING, {
      object: 'quota',
      period: state.period,
      metric: state.metric,
      used: state.used,
      limit: state.limit,
    });
  return new MonthlyQuota(runtime.db, runtime.logger, { metric, onWarning });
}

export const limitsModule = defineModule({
  name: 'limits',
  migrations: LIMITS_MIGRATIONS,
  events: [
    {
      type: QUOTA_WARNING,
      collection: 'account',
      description: 'The account has used 80 % of a monthly quota (once per month).',
    },
  ],
  operations: () => [rateLimitOperation],
  document: { tags: { Traffic: 'Rate limits, quotas and request echo for debugging integrations.' } },
  provides: [
    provide(
      rateLimiter,
      (runtime) =>
        new RequestRateLimiter({
          redis: runtime.options.redis,
          logger: runtime.logger,
          storeFailures: new Counter({
            name: 'fieldline_rate_limit_store_failures_total',
            help:
              'Rate-limit checks the shared store (Redis) could not answer; ' +
              "each fell back to this node's own limits.",
            registers: [runtime.metrics],
          }),
        }),
      () => ({}),
    ),
    provide(requestQuota, (runtime) => monthlyQuota(runtime, 'requests')),
    provide(deliveryQuota, (runtime) => monthlyQuota(runtime, 'webhook_deliveries')),
    provide(automationRunQuota, (runtime) => monthlyQuota(runtime, 'automation_runs')),
    provide(aiTokenQuota, (runtime) => monthlyQuota(runtime, 'ai_tokens')),
    provide(
      trafficControl,
      (runtime) => new TrafficLimits(runtime.use(rateLimiter), runtime.use(requestQuota), runtime.metrics),
      () => ({}),
    ),
  ],
});
