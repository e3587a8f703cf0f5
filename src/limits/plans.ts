// The plans Fieldline starts with, and how a key's overrides change its plan's rates. Plans are
// data (the `plans` table, src/billing): these constants are only the seed migration 0041 writes
// into a new database. Changing them changes no database already migrated; operators change
// plans through /v1/platform/plans.
import {
  RATE_BUCKETS,
  type Plan,
  type PlanFeature,
  type RateBucket,
  type RateLimits,
} from '../platform/api/traffic.ts';

const perMinute = (read: number, write: number, expensive: number): RateLimits => ({
  read: { limit: read, windowSeconds: 60 },
  write: { limit: write, windowSeconds: 60 },
  expensive: { limit: expensive, windowSeconds: 60 },
});

/** A plan as seeded: what a credential carries, plus its price, overage and the counts it allows. */
export interface PlanSeed extends Plan {
  description: string;
  /** Per month, in minor units. */
  price: { amount: number; currency: string };
  /** Included each month before overage is charged (the monthly quotas are the hard ceilings). */
  included: { requests: number; aiTokens: number };
  /** Minor units per 1,000 API calls beyond `included.requests`, and per 1,000 AI tokens beyond `included.aiTokens`. */
  overage: { per1000Requests: number; per1000AiTokens: number };
  /** How many of each the account may have; null: no limit. */
  maxima: {
    members: number | null;
    automationRules: number | null;
    webhookEndpoints: number | null;
    integrations: number | null;
  };
}

const ALL: readonly PlanFeature[] = ['automations', 'ai', 'integrations', 'customer_portal'];

export const PLANS = {
  free: {
    name: 'free',
    description: 'For trying Fieldline: small quotas, no third-party integrations.',
    features: ['automations', 'ai', 'customer_portal'],
    rates: perMinute(600, 300, 30),
    monthlyRequests: 100_000,
    monthlyWebhookDeliveries: 10_000,
    monthlyAutomationRuns: 1_000,
    monthlyAiTokens: 200_000,
    price: { amount: 0, currency: 'usd' },
    // Free has no overage: its quotas are all it gets.
    included: { requests: 100_000, aiTokens: 200_000 },
    overage: { per1000Requests: 0, per1000AiTokens: 0 },
    maxima: { members: 3, automationRules: 5, webhookEndpoints: 2, integrations: 0 },
  },
  standard: {
    name: 'standard',
    description: 'For a growing business: every capability, generous quotas, usage beyond them billed.',
    features: ALL,
    rates: perMinute(6_000, 3_000, 300),
    monthlyRequests: 5_000_000,
    monthlyWebhookDeliveries: 1_000_000,
    monthlyAutomationRuns: 100_000,
    monthlyAiTokens: 20_000_000,
    price: { amount: 4_900, currency: 'usd' },
    included: { requests: 1_000_000, aiTokens: 5_000_000 },
    overage: { per1000Requests: 10, per1000AiTokens: 2 },
    maxima: { members: 25, automationRules: 100, webhookEndpoints: 20, integrations: null },
  },
  enterprise: {
    name: 'enterprise',
    description: 'For large operations: the highest rates and quotas, no count limits.',
    features: ALL,
    rates: perMinute(60_000, 30_000, 3_000),
    monthlyRequests: 100_000_000,
    monthlyWebhookDeliveries: 20_000_000,
    monthlyAutomationRuns: 2_000_000,
    monthlyAiTokens: 500_000_000,
    price: { amount: 49_900, currency: 'usd' },
    included: { requests: 50_000_000, aiTokens: 100_000_000 },
    overage: { per1000Requests: 5, per1000AiTokens: 1 },
    maxima: { members: null, automationRules: null, webhookEndpoints: null, integrations: null },
  },
} as const satisfies Record<string, PlanSeed>;

export type PlanName = keyof typeof PLANS;
export const PLAN_NAMES = Object.keys(PLANS) as PlanName[];
/** The plan a new account gets when none is named. */
export const DEFAULT_PLAN: PlanName = 'standard';

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
