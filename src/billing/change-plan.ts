// Moving an account to another plan, by its owner (POST /v1/account/subscription) or an operator:
// the plan must exist and be open to it, the account must fit it (else 409 with what to remove,
// and nothing changes), and the new rates, quotas and features apply to the very next request
// (credential caches forgotten).
import { systemQuery, systemTransaction } from '../db/system-query.ts';
import { accountChangeNoticeSql } from '../auth/api-keys.ts';
import { forgetAccount } from '../auth/account-operations.ts';
import { newId } from '../platform/ids.ts';
import { validationFailed } from '../platform/errors.ts';
import { excessOver, planDoesNotFit } from './plan-fit.ts';
import { loadSubscription, type SubscriptionState } from './subscriptions.ts';
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
  /** Who asks (a member, key or operator id), kept with the change. */
  by: string;
  /** Operators may move an account to a plan that is not public. */
  anyPlan?: boolean;
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
  if (current.plan.name === target.name) return current;
  const excess = await excessOver(db, change.accountId, target);
  if (excess.length) throw planDoesNotFit(target, excess);
  const now = new Date().toISOString();
  await systemTransaction(db, [
    {
      // The notice is part of the transaction: every node forgets the account's credentials at commit.
      sql: `UPDATE accounts SET plan = $2, updated_at = $3 WHERE id = $1 RETURNING ${accountChangeNoticeSql('$1')}`,
      parameters: [change.accountId, target.name, now],
    },
    {
      sql: `INSERT INTO plan_changes (id, account_id, from_plan, to_plan, changed_by, changed_at)
            VALUES ($1, $2, $3, $4, $5, $6)`,
      parameters: [newId('plch'), change.accountId, current.plan.name, target.name, change.by, now],
    },
  ]);
  forgetAccount(runtime, change.accountId);
  return { ...current, plan: target };
}
