// Moving an account to another plan, by its owner (POST /v1/account/subscription) or an operator:
// the plan must exist and be open to it, the account must fit it (else 409 with what to remove,
// and nothing changes), Stripe's subscription follows first when Stripe Billing is configured (if
// Stripe refuses, nothing here changes), the change is audited, and the new rates, quotas and
// features apply to the very next request (every node forgets the account's credentials).
import { systemQuery, systemTransaction } from '../db/system-query.ts';
import type { SqlStatement } from '../db/inline-parameters.ts';
import { accountChangeNoticeSql } from '../auth/api-keys.ts';
import { forgetAccount } from '../auth/account-operations.ts';
import { auditStatement } from '../audit/record-audit.ts';
import { actorOf, type Actor } from '../audit/actor.ts';
import { newId } from '../platform/ids.ts';
import { validationFailed } from '../platform/errors.ts';
import type { Principal } from '../platform/operations/principal.ts';
import { excessOver, planDoesNotFit } from './plan-fit.ts';
import { loadSubscription, type SubscriptionState } from './subscriptions.ts';
import { stripeBillingOf } from './billing-services.ts';
import type { StripeSubscriptionIds } from './stripe-billing.ts';
import type { PlanRow } from './plan-rows.ts';
import type { Database } from '../db/database.ts';
import type { Runtime } from '../platform/contract.ts';

export async function planRowNamed(db: Database, name: string): Promise<PlanRow | undefined> {
  const [row] = await systemQuery<{ plan_row: PlanRow | string }>(db, {
    sql: 'SELECT to_jsonb(p) AS plan_row FROM plans p WHERE p.name = $1',
    parameters: [name],
  });
  if (!row) return undefined;
  return typeof row.plan_row === 'string' ? JSON.parse(row.plan_row) : row.plan_row;
}

export interface PlanChange {
  accountId: string;
  plan: string;
  /** Who asks: the caller's principal, or an operator named outright. */
  by: Principal | Actor;
  /** Operators may move an account to a plan that is not public. */
  anyPlan?: boolean;
}

const isActor = (by: Principal | Actor): by is Actor => 'type' in by && 'on_behalf_of' in by;

/** The account's Stripe customer and subscription, kept with its subscription state. */
function stripeIdsStatement(accountId: string, ids: StripeSubscriptionIds, now: string): SqlStatement {
  return {
    sql: `INSERT INTO billing_subscriptions
            (account_id, stripe_customer_id, stripe_subscription_id, created_at, updated_at)
          VALUES ($1, $2, $3, $4, $4)
          ON CONFLICT (account_id) DO UPDATE SET stripe_customer_id = excluded.stripe_customer_id,
            stripe_subscription_id = excluded.stripe_subscription_id, updated_at = excluded.updated_at`,
    parameters: [accountId, ids.customerId, ids.subscriptionId, now],
  };
}

export async function changePlan(runtime: Runtime, change: PlanChange): Promise<SubscriptionState> {
  const { db } = runtime;
  const target = await planRowNamed(db, change.plan);
  // A private plan is not named to those who may not choose it.
  if (!target || (!target.public && !change.anyPlan))
    throw validationFailed([{ path: 'plan', message: `No such plan: '${change.plan}' (GET /v1/plans lists them)` }]);
  if (target.archived)
    throw validationFailed([
      { path: 'plan', message: `The ${target.name} plan is archived: no account may move to it` },
    ]);
  const current = await loadSubscription(db, change.accountId);
  if (!current) throw new Error(`No account ${change.accountId}`);
  const stripe = stripeBillingOf(runtime);
  const same = current.plan.name === target.name;
  // The same plan again starts Stripe billing for an account not billed yet; else it changes nothing.
  if (same && !(stripe && target.stripe_price_id && !current.stripeSubscriptionId)) return current;
  if (!same) {
    const excess = await excessOver(db, change.accountId, target);
    if (excess.length) throw planDoesNotFit(target, excess);
  }
  const ids = stripe ? await stripe.subscribe(change.accountId, current, target) : null;
  const now = new Date().toISOString();
  const actor = isActor(change.by) ? change.by : actorOf(change.by);
  const statements: SqlStatement[] = ids ? [stripeIdsStatement(change.accountId, ids, now)] : [];
  if (!same)
    statements.push(
      {
        // The notice is part of the transaction: every node forgets the account's credentials at commit.
        sql: `UPDATE accounts SET plan = $2, updated_at = $3 WHERE id = $1 RETURNING ${accountChangeNoticeSql('$1')}`,
        parameters: [change.accountId, target.name, now],
      },
      {
        sql: `INSERT INTO plan_changes (id, account_id, from_plan, to_plan, changed_by, changed_at)
              VALUES ($1, $2, $3, $4, $5, $6)`,
        parameters: [
          newId('plch'),
          change.accountId,
          current.plan.name,
          target.name,
          `${actor.type}:${actor.id ?? ''}`,
          now,
        ],
      },
    );
  statements.push(
    auditStatement(change.accountId, {
      action: same ? 'subscription.started' : 'subscription.plan_changed',
      actor,
      resourceType: 'subscription',
      resourceId: change.accountId,
      changes: same
        ? { stripe_subscription_id: ids?.subscriptionId ?? null }
        : { plan: { from: current.plan.name, to: target.name } },
      occurredAt: now,
    }),
  );
  await systemTransaction(db, statements);
  forgetAccount(runtime, change.accountId);
  return {
    ...current,
    plan: target,
    stripeCustomerId: ids?.customerId ?? current.stripeCustomerId,
    stripeSubscriptionId: ids ? ids.subscriptionId : current.stripeSubscriptionId,
  };
}
