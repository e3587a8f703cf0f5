// What an account owes for a month, computed from its usage counters: the plan's price plus
// overage for API requests and AI tokens beyond what the plan includes (per 1,000 started), at
// the plan in force at the month's end. Without Stripe Billing this is shown, never charged.
import { z } from 'zod';
import { tenantBatch } from '../db/tenant-transaction.ts';
import { periodOf } from '../limits/monthly-quota.ts';
import type { Database } from '../db/database.ts';
import type { PlanRow } from './plan-rows.ts';

const OverageLine = z.object({
  used: z.number().int(),
  included: z.number().int(),
  billable_units: z.number().int().describe('Thousands beyond `included`, each started thousand counted.'),
  unit_amount: z.number().int().describe('Minor units per 1,000.'),
  amount: z.number().int(),
});

export const UsageStatement = z.object({
  object: z.literal('usage_statement'),
  period: z.string().describe('The calendar month (UTC), `YYYY-MM`.'),
  plan: z.string().describe('The plan in force at the end of the month (now, for this month).'),
  currency: z.string(),
  base_amount: z.number().int().describe("The plan's monthly price, in minor units."),
  requests: OverageLine,
  ai_tokens: OverageLine,
  total_amount: z.number().int(),
  charged: z.boolean().describe('False: computed and shown only (no Stripe Billing).'),
});
export type UsageStatement = z.infer<typeof UsageStatement>;

interface AccountUsage {
  counters: Map<string, { requests: number; aiTokens: number }>;
  changes: { from_plan: string; to_plan: string; changed_at: string }[];
  currentPlan: string;
  plans: Map<string, PlanRow>;
}

const parsed = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);

/** Everything the statements need, in one round trip. */
export async function loadAccountUsage(db: Database, accountId: string): Promise<AccountUsage> {
  const [counters, changes, [account], plans] = await tenantBatch(
    db,
    accountId,
    [
      {
        sql: `SELECT period, requests, ai_tokens FROM usage_counters
               WHERE account_id = $1 ORDER BY period DESC LIMIT 24`,
        parameters: [accountId],
      },
      {
        sql: `SELECT from_plan, to_plan, changed_at::text AS changed_at FROM plan_changes
               WHERE account_id = $1 ORDER BY changed_at, id`,
        parameters: [accountId],
      },
      { sql: 'SELECT plan FROM accounts WHERE id = $1', parameters: [accountId] },
      { sql: 'SELECT to_jsonb(p) AS plan_row FROM plans p', parameters: [] },
    ],
    { readOnly: true },
  );
  return {
    counters: new Map(
      counters.map((row) => [row.period, { requests: Number(row.requests), aiTokens: Number(row.ai_tokens) }]),
    ),
    changes: changes.map((row) => ({
      from_plan: String(row.from_plan),
      to_plan: String(row.to_plan),
      changed_at: new Date(row.changed_at).toISOString(),
    })),
    currentPlan: account.plan,
    plans: new Map(plans.map((row) => [parsed(row.plan_row).name, parsed(row.plan_row) as PlanRow])),
  };
}

/** The plan in force at the end of `period`: the last change before it, else the first change's origin, else now's. */
function planAtEndOf(usage: AccountUsage, period: string): PlanRow {
  const end = new Date(Date.UTC(Number(period.slice(0, 4)), Number(period.slice(5, 7)), 1)).toISOString();
  const before = usage.changes.filter((change) => change.changed_at < end).at(-1);
  const after = usage.changes.find((change) => change.changed_at >= end);
  const name = before?.to_plan ?? after?.from_plan ?? usage.currentPlan;
  return usage.plans.get(name)!;
}

function overage(used: number, included: number, per1000: number) {
  const units = Math.ceil(Math.max(0, used - included) / 1000);
  return { used, included, billable_units: units, unit_amount: per1000, amount: units * per1000 };
}

export function usageStatement(usage: AccountUsage, period: string, charged: boolean): UsageStatement {
  const plan = planAtEndOf(usage, period);
  const used = usage.counters.get(period) ?? { requests: 0, aiTokens: 0 };
  const requests = overage(used.requests, Number(plan.included_requests), Number(plan.overage_per_1000_requests));
  const aiTokens = overage(used.aiTokens, Number(plan.included_ai_tokens), Number(plan.overage_per_1000_ai_tokens));
  const base = Number(plan.price_amount);
  return {
    object: 'usage_statement',
    period,
    plan: plan.name,
    currency: plan.currency,
    base_amount: base,
    requests,
    ai_tokens: aiTokens,
    total_amount: base + requests.amount + aiTokens.amount,
    charged,
  };
}

/** The months there is anything to show for, newest first: this one, then each month with usage. */
export function periodsOf(usage: AccountUsage, now: number): string[] {
  return [...new Set([periodOf(now), ...usage.counters.keys()])].sort().reverse();
}
