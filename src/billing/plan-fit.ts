// Whether an account fits a plan: the counts it allows (members, automation rules, webhook
// endpoints, integrations) and the capabilities it leaves out that the account uses. A plan change
// the account does not fit is refused (409) with what to remove, so nothing is lost silently.
import { tenantBatch } from '../db/tenant-transaction.ts';
import { ApiError } from '../platform/errors.ts';
import type { Database } from '../db/database.ts';
import type { PlanFeature } from '../platform/api/traffic.ts';
import type { PlanRow } from './plan-rows.ts';

/** What the account has, counted the way each plan maximum or feature means it. */
const COUNTS = {
  members: `SELECT count(*) AS n FROM users WHERE account_id = $1 AND status = 'active' AND deleted_at IS NULL`,
  automation_rules: 'SELECT count(*) AS n FROM automation_rules WHERE account_id = $1 AND deleted_at IS NULL',
  workflows: 'SELECT count(*) AS n FROM workflows WHERE account_id = $1 AND deleted_at IS NULL',
  webhook_endpoints: 'SELECT count(*) AS n FROM webhook_endpoints WHERE account_id = $1 AND deleted_at IS NULL',
  integrations: `SELECT count(*) AS n FROM integrations WHERE account_id = $1 AND status <> 'disconnected'`,
  llm_providers: 'SELECT count(*) AS n FROM llm_providers WHERE account_id = $1',
  portal_customers: `SELECT count(*) AS n FROM customer_portal_access WHERE account_id = $1 AND status = 'invited'`,
} as const;
type Counted = keyof typeof COUNTS;

/** One thing to remove before the change: what, how many there are, how many the plan allows. */
export interface Excess {
  /** The collection to remove from (`automation-rules`), as its API path names it. */
  collection: string;
  count: number;
  allowed: number;
  remove: number;
  /** Set when the plan leaves the capability out altogether. */
  feature?: PlanFeature;
  message: string;
}

const MAXIMA: { counted: Counted; column: keyof PlanRow; collection: string; what: string }[] = [
  { counted: 'members', column: 'max_members', collection: 'users', what: 'active members' },
  {
    counted: 'automation_rules',
    column: 'max_automation_rules',
    collection: 'automation-rules',
    what: 'automation rules',
  },
  {
    counted: 'webhook_endpoints',
    column: 'max_webhook_endpoints',
    collection: 'webhook-endpoints',
    what: 'webhook endpoints',
  },
  { counted: 'integrations', column: 'max_integrations', collection: 'integrations', what: 'connected integrations' },
];

/** A capability is in use while the account has any of these. */
const USES: { feature: PlanFeature; counted: Counted; collection: string; what: string }[] = [
  { feature: 'automations', counted: 'automation_rules', collection: 'automation-rules', what: 'automation rules' },
  { feature: 'automations', counted: 'workflows', collection: 'workflows', what: 'workflows' },
  { feature: 'integrations', counted: 'integrations', collection: 'integrations', what: 'connected integrations' },
  { feature: 'ai', counted: 'llm_providers', collection: 'llm-providers', what: 'LLM providers' },
  {
    feature: 'customer_portal',
    counted: 'portal_customers',
    collection: 'customer-portal-access',
    what: 'customers invited to the portal',
  },
];

async function countsOf(db: Database, accountId: string): Promise<Record<Counted, number>> {
  const names = Object.keys(COUNTS) as Counted[];
  const results = await tenantBatch(
    db,
    accountId,
    names.map((name) => ({ sql: COUNTS[name], parameters: [accountId] })),
    { readOnly: true },
  );
  return Object.fromEntries(names.map((name, i) => [name, Number(results[i][0].n)])) as Record<Counted, number>;
}

/** What the account would have to remove to fit `plan`; empty when it fits. */
export async function excessOver(db: Database, accountId: string, plan: PlanRow): Promise<Excess[]> {
  const counts = await countsOf(db, accountId);
  const excess: Excess[] = [];
  for (const use of USES) {
    const count = counts[use.counted];
    if (plan.features.includes(use.feature) || count === 0) continue;
    excess.push({
      collection: use.collection,
      count,
      allowed: 0,
      remove: count,
      feature: use.feature,
      message: `Remove all ${count} ${use.what}: the ${plan.name} plan does not include ${use.feature}`,
    });
  }
  for (const maximum of MAXIMA) {
    const allowed = plan[maximum.column] as number | null;
    const count = counts[maximum.counted];
    if (allowed === null || count <= allowed) continue;
    if (excess.some((e) => e.collection === maximum.collection)) continue;
    excess.push({
      collection: maximum.collection,
      count,
      allowed,
      remove: count - allowed,
      message: `Remove ${count - allowed} of ${count} ${maximum.what}: the ${plan.name} plan allows ${allowed}`,
    });
  }
  return excess;
}

/** The 409 of a plan change the account does not fit. */
export function planDoesNotFit(plan: PlanRow, excess: readonly Excess[]): ApiError {
  return new ApiError(
    'plan_limits_exceeded',
    `The account does not fit the ${plan.name} plan: ${excess.map((e) => e.message).join('; ')}. ` +
      'Nothing was changed.',
    {
      plan: plan.name,
      remove: excess.map(({ message: _message, ...rest }) => rest),
      errors: excess.map((e) => ({ path: e.collection, message: e.message })),
    },
  );
}
