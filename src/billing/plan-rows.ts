// A row of the plans table as the rest of Fieldline reads it: the Plan a credential carries
// (rates, quotas, features) and the plan object of the API. Queries that load an account read its
// plan in the same statement (planOfAccountSql), so reading plans as data costs no round trip.
import { z } from 'zod';
import { PLAN_FEATURES, RATE_BUCKETS, type Plan, type PlanFeature } from '../platform/api/traffic.ts';

/** A plans row as `to_jsonb` gives it (bigint columns as numbers, timestamps as text). */
export interface PlanRow {
  id: string;
  name: string;
  description: string;
  features: string[];
  rates: Record<string, { limit: number; window_seconds: number }>;
  monthly_requests: number;
  monthly_webhook_deliveries: number;
  monthly_automation_runs: number;
  monthly_ai_tokens: number;
  price_amount: number;
  currency: string;
  billing_interval: string;
  stripe_price_id: string | null;
  stripe_requests_price_id: string | null;
  stripe_ai_tokens_price_id: string | null;
  included_requests: number;
  included_ai_tokens: number;
  overage_per_1000_requests: number;
  overage_per_1000_ai_tokens: number;
  max_members: number | null;
  max_automation_rules: number | null;
  max_webhook_endpoints: number | null;
  max_integrations: number | null;
  public: boolean;
  archived: boolean;
  created_at: string;
  updated_at: string;
}

/**
 * The plan row of the account aliased `account` in the statement, as one JSON value. Every account
 * names a plan (a foreign key), so it is never null.
 */
export const planOfAccountSql = (account: string) =>
  `(SELECT to_jsonb(plan_row) || ${accountLimitsSql(account)}
      FROM plans plan_row WHERE plan_row.name = ${account}.plan)`;

/**
 * An operator's overrides of the plan for one account (`accounts.limits`, PATCH /v1/platform/accounts/{id}):
 * rate buckets and monthly quotas it names replace the plan's; what it does not name stays the plan's.
 */
const accountLimitsSql = (account: string) =>
  `jsonb_strip_nulls(jsonb_build_object(
     'rates', to_jsonb(plan_row)->'rates' || coalesce(${account}.limits->'rates', '{}'::jsonb),
     'monthly_requests', ${account}.limits->'monthly_requests',
     'monthly_webhook_deliveries', ${account}.limits->'monthly_webhook_deliveries',
     'monthly_automation_runs', ${account}.limits->'monthly_automation_runs',
     'monthly_ai_tokens', ${account}.limits->'monthly_ai_tokens'))`;

const isFeature = (value: string): value is PlanFeature => (PLAN_FEATURES as readonly string[]).includes(value);

/** What a credential carries of its account's plan. */
export function planFromRow(row: PlanRow | string | null | undefined): Plan {
  if (!row) throw new Error('An account names no plan row (accounts_plan_fkey should prevent it)');
  // pg gives jsonb parsed; a text column (a driver without the type) gives the text.
  const plan: PlanRow = typeof row === 'string' ? JSON.parse(row) : row;
  return {
    name: plan.name,
    features: plan.features.filter(isFeature),
    rates: Object.fromEntries(
      RATE_BUCKETS.map((bucket) => [
        bucket,
        { limit: Number(plan.rates[bucket].limit), windowSeconds: Number(plan.rates[bucket].window_seconds) },
      ]),
    ) as Plan['rates'],
    monthlyRequests: Number(plan.monthly_requests),
    monthlyWebhookDeliveries: Number(plan.monthly_webhook_deliveries),
    monthlyAutomationRuns: Number(plan.monthly_automation_runs),
    monthlyAiTokens: Number(plan.monthly_ai_tokens),
  };
}

const Money = z.object({ amount: z.number().int(), currency: z.string() });
const Rate = z.object({ limit: z.number().int(), window_seconds: z.number().int() });
const Maximum = z.number().int().nullable().describe('null: no limit.');

export const PlanObject = z.object({
  id: z.string(),
  object: z.literal('plan'),
  name: z.string(),
  description: z.string(),
  features: z.array(z.enum(PLAN_FEATURES)),
  price: Money.extend({ interval: z.literal('month') }).describe('Per month, in minor units.'),
  stripe_price_id: z.string().nullable().describe("Stripe Billing: the plan's monthly price."),
  stripe_overage_price_ids: z
    .object({ requests: z.string().nullable(), ai_tokens: z.string().nullable() })
    .describe('Stripe Billing: the metered prices overage is reported against (billing meters).'),
  rates: z.object({ read: Rate, write: Rate, expensive: Rate }).describe('Requests per window, per credential.'),
  quotas: z
    .object({
      requests: z.number().int(),
      webhook_deliveries: z.number().int(),
      automation_runs: z.number().int(),
      ai_tokens: z.number().int(),
    })
    .describe('Monthly ceilings: past them, calls are refused (429 quota_exceeded).'),
  included: z
    .object({ requests: z.number().int(), ai_tokens: z.number().int() })
    .describe('Usage included in the price each month; beyond it, overage is billed.'),
  overage: z
    .object({ per_1000_requests: z.number().int(), per_1000_ai_tokens: z.number().int() })
    .describe('Minor units of `price.currency` per 1,000 beyond `included`.'),
  maxima: z.object({
    members: Maximum,
    automation_rules: Maximum,
    webhook_endpoints: Maximum,
    integrations: Maximum,
  }),
  public: z.boolean().describe('Listed at GET /v1/plans for accounts to choose.'),
  archived: z.boolean().describe('No account may move to it; accounts on it stay.'),
  created_at: z.string(),
  updated_at: z.string(),
});
export type PlanObject = z.infer<typeof PlanObject>;

const iso = (value: string | Date) => new Date(value).toISOString();

export function presentPlan(row: PlanRow): PlanObject {
  const rates = Object.fromEntries(
    RATE_BUCKETS.map((bucket) => [
      bucket,
      { limit: Number(row.rates[bucket].limit), window_seconds: Number(row.rates[bucket].window_seconds) },
    ]),
  ) as PlanObject['rates'];
  return {
    id: row.id,
    object: 'plan',
    name: row.name,
    description: row.description,
    features: row.features.filter(isFeature),
    price: { amount: Number(row.price_amount), currency: row.currency, interval: 'month' },
    stripe_price_id: row.stripe_price_id,
    stripe_overage_price_ids: {
      requests: row.stripe_requests_price_id ?? null,
      ai_tokens: row.stripe_ai_tokens_price_id ?? null,
    },
    rates,
    quotas: {
      requests: Number(row.monthly_requests),
      webhook_deliveries: Number(row.monthly_webhook_deliveries),
      automation_runs: Number(row.monthly_automation_runs),
      ai_tokens: Number(row.monthly_ai_tokens),
    },
    included: { requests: Number(row.included_requests), ai_tokens: Number(row.included_ai_tokens) },
    overage: {
      per_1000_requests: Number(row.overage_per_1000_requests),
      per_1000_ai_tokens: Number(row.overage_per_1000_ai_tokens),
    },
    maxima: {
      members: row.max_members,
      automation_rules: row.max_automation_rules,
      webhook_endpoints: row.max_webhook_endpoints,
      integrations: row.max_integrations,
    },
    public: row.public,
    archived: row.archived,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}
