// What an account's plan allows: request rates per bucket and monthly quotas. A key may
// override its plan's rates (a tighter limit for a risky integration, a looser one for a sync).
import { RATE_BUCKETS, type Plan, type RateBucket, type RateLimits } from '../platform/api/traffic.ts';

const perMinute = (read: number, write: number, expensive: number): RateLimits => ({
  read: { limit: read, windowSeconds: 60 },
  write: { limit: write, windowSeconds: 60 },
  expensive: { limit: expensive, windowSeconds: 60 },
});

export const PLANS = {
  free: {
    name: 'free',
    rates: perMinute(600, 300, 30),
    monthlyRequests: 100_000,
    monthlyWebhookDeliveries: 10_000,
    monthlyAutomationRuns: 1_000,
    monthlyAiTokens: 200_000,
  },
  standard: {
    name: 'standard',
    rates: perMinute(6_000, 3_000, 300),
    monthlyRequests: 5_000_000,
    monthlyWebhookDeliveries: 1_000_000,
    monthlyAutomationRuns: 100_000,
    monthlyAiTokens: 20_000_000,
  },
  enterprise: {
    name: 'enterprise',
    rates: perMinute(60_000, 30_000, 3_000),
    monthlyRequests: 100_000_000,
    monthlyWebhookDeliveries: 20_000_000,
    monthlyAutomationRuns: 2_000_000,
    monthlyAiTokens: 500_000_000,
  },
} as const satisfies Record<string, Plan>;

export type PlanName = keyof typeof PLANS;
export const PLAN_NAMES = Object.keys(PLANS) as PlanName[];
export const DEFAULT_PLAN: PlanName = 'standard';

export function planNamed(name: string): Plan {
  return PLANS[name as PlanName] ?? PLANS[DEFAULT_PLAN];
}

/** A key's overrides, as stored in `api_keys.rate_limits`: any bucket, limit and/or window. */
export type RateLimitOverrides = Partial<Record<RateBucket, { limit?: number; window_seconds?: number }>>;

export function effectiveRates(plan: Plan, overrides: RateLimitOverrides | null | undefined): RateLimits {
  if (!overrides) return plan.rates;
  const rates = { ...plan.rates };
  for (const bucket of RATE_BUCKETS) {
    const override = overrides[bucket];
    if (override)
      rates[bucket] = {
        limit: override.limit ?? rates[bucket].limit,
        windowSeconds: override.window_seconds ?? rates[bucket].windowSeconds,
      };
  }
  return rates;
}
