// An account's subscription: the plan it is on, whether it is paid up, and how it is billed. The
// plan is `accounts.plan`; billing_subscriptions holds the rest once there is any (past due, the
// Stripe customer and subscription); plan_changes keeps which plan was in force when.
import { z } from 'zod';
import { systemQuery } from '../db/system-query.ts';
import { PlanObject, presentPlan, type PlanRow } from './plan-rows.ts';
import type { Database } from '../db/database.ts';

export const SUBSCRIPTION_STATES = ['active', 'past_due'] as const;

export const Subscription = z.object({
  object: z.literal('subscription'),
  account_id: z.string(),
  plan: PlanObject,
  status: z
    .enum(SUBSCRIPTION_STATES)
    .describe('`past_due`: the last invoice failed; the account is suspended after the grace period.'),
  past_due_since: z.string().nullable(),
  billing: z
    .enum(['stripe', 'not_charged'])
    .describe(
      '`stripe`: invoiced and charged through Stripe Billing; `not_charged`: usage is computed and shown only.',
    ),
  stripe_customer_id: z.string().nullable(),
  stripe_subscription_id: z.string().nullable(),
  current_period: z.object({ start: z.string(), end: z.string() }).describe('The calendar month (UTC) being billed.'),
});
export type Subscription = z.infer<typeof Subscription>;

export interface SubscriptionState {
  plan: PlanRow;
  status: (typeof SUBSCRIPTION_STATES)[number];
  pastDueSince: string | null;
  stripeCustomerId: string | null;
  stripeSubscriptionId: string | null;
}

/** The calendar month (UTC) holding `at`: its first instant and the next month's. */
export function monthOf(at: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return { start, end };
}

export async function loadSubscription(db: Database, accountId: string): Promise<SubscriptionState | null> {
  const [row] = await systemQuery(db, {
    sql: `SELECT to_jsonb(p) AS plan_row, s.status, s.past_due_since, s.stripe_customer_id, s.stripe_subscription_id
            FROM accounts a JOIN plans p ON p.name = a.plan
            LEFT JOIN billing_subscriptions s ON s.account_id = a.id
           WHERE a.id = $1`,
    parameters: [accountId],
  });
  if (!row) return null;
  return {
    plan: typeof row.plan_row === 'string' ? JSON.parse(row.plan_row) : row.plan_row,
    status: row.status ?? 'active',
    pastDueSince: row.past_due_since ? new Date(row.past_due_since).toISOString() : null,
    stripeCustomerId: row.stripe_customer_id ?? null,
    stripeSubscriptionId: row.stripe_subscription_id ?? null,
  };
}

export function presentSubscription(accountId: string, state: SubscriptionState, now: Date): Subscription {
  const { start, end } = monthOf(now);
  return {
    object: 'subscription',
    account_id: accountId,
    plan: presentPlan(state.plan),
    status: state.status,
    past_due_since: state.pastDueSince,
    billing: state.stripeSubscriptionId ? 'stripe' : 'not_charged',
    stripe_customer_id: state.stripeCustomerId,
    stripe_subscription_id: state.stripeSubscriptionId,
    current_period: { start: start.toISOString(), end: end.toISOString() },
  };
}
