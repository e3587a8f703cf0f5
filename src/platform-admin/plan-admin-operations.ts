// /v1/platform/plans: operators list, create and change plans, which are data (the `plans` table
// every credential's rates, quotas and features are read from). A change is audited in the
// operators' log and reaches the very next request of every account on the plan: each node
// forgets those accounts' cached credentials. A plan is never deleted (accounts name it):
// `archived` closes it to new subscriptions, `public: false` hides it from GET /v1/plans.
import { z } from 'zod';
import { systemQuery, systemTransaction } from '../db/system-query.ts';
import type { SqlStatement } from '../db/inline-parameters.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { PLAN_FEATURES } from '../platform/api/traffic.ts';
import { ApiError, notFound, validationFailed } from '../platform/errors.ts';
import type { OperationCall } from '../platform/api/operation.ts';
import { operatorAuditInsert } from './platform-audit.ts';
import { announceAccountChange } from './account-status-change.ts';
import { PLATFORM_TAG } from './platform-tag.ts';
import { planRowNamed } from '../billing/change-plan.ts';
import { PlanObject, presentPlan, type PlanRow } from '../billing/plan-rows.ts';

const NOT_IN_SDKS = { excluded: 'platform administration is not part of the tenant SDKs' } as const;
const PLAN_NAME = '^[a-z0-9][a-z0-9_-]{0,62}$';

const Count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const Rate = z.strictObject({
  limit: z.number().int().min(1).max(10_000_000),
  window_seconds: z.number().int().min(1).max(86_400),
});
const Maximum = z.number().int().min(0).max(1_000_000).nullable();

/** What an operator may set of a plan; create needs the price, rates and quotas, update any part. */
const PlanFields = {
  description: z.string().max(1000),
  features: z.array(z.enum(PLAN_FEATURES)).max(PLAN_FEATURES.length),
  price: z.strictObject({
    amount: Count.describe('Per month, in minor units.'),
    currency: z.string().regex(/^[a-z]{3}$/, 'Expected an ISO 4217 code in lower case, e.g. usd'),
  }),
  rates: z.strictObject({ read: Rate, write: Rate, expensive: Rate }),
  quotas: z.strictObject({ requests: Count, webhook_deliveries: Count, automation_runs: Count, ai_tokens: Count }),
  included: z.strictObject({ requests: Count, ai_tokens: Count }),
  overage: z.strictObject({ per_1000_requests: Count, per_1000_ai_tokens: Count }),
  maxima: z.strictObject({
    members: Maximum,
    automation_rules: Maximum,
    webhook_endpoints: Maximum,
    integrations: Maximum,
  }),
  stripe_price_id: z.string().max(255).nullable(),
  stripe_overage_price_ids: z.strictObject({
    requests: z.string().max(255).nullable(),
    ai_tokens: z.string().max(255).nullable(),
  }),
  public: z.boolean(),
  archived: z.boolean(),
};
const NewPlan = z.strictObject({
  name: z.string().regex(new RegExp(PLAN_NAME), 'Lower-case letters, digits, - and _ (at most 63)'),
  ...PlanFields,
  description: PlanFields.description.optional(),
  features: PlanFields.features.optional(),
  included: PlanFields.included.optional(),
  overage: PlanFields.overage.optional(),
  maxima: PlanFields.maxima.partial().optional(),
  stripe_price_id: PlanFields.stripe_price_id.optional(),
  stripe_overage_price_ids: PlanFields.stripe_overage_price_ids.partial().optional(),
  public: PlanFields.public.optional(),
  archived: PlanFields.archived.optional(),
});
const PlanUpdate = z
  .strictObject({
    ...PlanFields,
    maxima: PlanFields.maxima.partial(),
    stripe_overage_price_ids: PlanFields.stripe_overage_price_ids.partial(),
  })
  .partial();
type PlanInput = Partial<z.infer<typeof PlanUpdate>>;

/** The columns an input sets, as name -> value (jsonb and arrays as the driver takes them). */
function columnsOf(input: PlanInput): Record<string, unknown> {
  const columns: Record<string, unknown> = {
    description: input.description,
    features: input.features && [...new Set(input.features)],
    rates: input.rates && JSON.stringify(input.rates),
    monthly_requests: input.quotas?.requests,
    monthly_webhook_deliveries: input.quotas?.webhook_deliveries,
    monthly_automation_runs: input.quotas?.automation_runs,
    monthly_ai_tokens: input.quotas?.ai_tokens,
    price_amount: input.price?.amount,
    currency: input.price?.currency,
    included_requests: input.included?.requests,
    included_ai_tokens: input.included?.ai_tokens,
    overage_per_1000_requests: input.overage?.per_1000_requests,
    overage_per_1000_ai_tokens: input.overage?.per_1000_ai_tokens,
    max_members: input.maxima?.members,
    max_automation_rules: input.maxima?.automation_rules,
    max_webhook_endpoints: input.maxima?.webhook_endpoints,
    max_integrations: input.maxima?.integrations,
    stripe_price_id: input.stripe_price_id,
    stripe_requests_price_id: input.stripe_overage_price_ids?.requests,
    stripe_ai_tokens_price_id: input.stripe_overage_price_ids?.ai_tokens,
    public: input.public,
    archived: input.archived,
  };
  return Object.fromEntries(Object.entries(columns).filter(([, value]) => value !== undefined));
}

const auditOf = (call: OperationCall, action: string, summary: Record<string, unknown>) =>
  operatorAuditInsert({ operator: call.operator!, action, summary, ip: call.clientIp });

/** Every node's next request of every account on the plan reads it again. */
async function announcePlanChange(call: OperationCall, name: string): Promise<void> {
  const accounts = await systemQuery<{ id: string }>(call.runtime.db, {
    sql: 'SELECT id FROM accounts WHERE plan = $1',
    parameters: [name],
  });
  for (const { id } of accounts) await announceAccountChange(call.runtime, id);
}

const listPlatformPlans = defineOperation({
  method: 'get',
  path: '/v1/platform/plans',
  operationId: 'listPlatformPlans',
  tag: PLATFORM_TAG,
  scope: 'platform:plans',
  authentication: 'operator',
  bucket: 'read',
  sdk: NOT_IN_SDKS,
  summary: 'List every plan',
  description: 'Public, private and archived plans, cheapest first, with how many accounts are on each.',
  response: z.array(PlanObject.extend({ accounts: z.int().describe('Accounts on the plan now.') })),
  async handle({ runtime }) {
    const rows = await systemQuery<{ plan_row: PlanRow; accounts: number }>(runtime.db, {
      sql: `SELECT to_jsonb(p) AS plan_row, (SELECT count(*)::int FROM accounts a WHERE a.plan = p.name) AS accounts
              FROM plans p ORDER BY p.price_amount, p.name`,
      parameters: [],
    });
    const data = rows.map((row) => ({ ...presentPlan(row.plan_row), accounts: Number(row.accounts) }));
    return { status: 200, body: { data, page: { has_more: false, next_cursor: null } } };
  },
});

const createPlatformPlan = defineOperation({
  method: 'post',
  path: '/v1/platform/plans',
  operationId: 'createPlatformPlan',
  tag: PLATFORM_TAG,
  scope: 'platform:plans',
  authentication: 'operator',
  bucket: 'write',
  sdk: NOT_IN_SDKS,
  summary: 'Create a plan',
  description:
    'A new plan: its price, rates and quotas are required; features default to none, included usage and ' +
    'overage to zero, maxima to no limit. A name already taken answers 409.',
  body: NewPlan,
  response: PlanObject,
  successStatus: 201,
  errors: [409],
  async handle(call) {
    const body = call.body as z.infer<typeof NewPlan>;
    const columns = {
      id: `plan_${body.name}`,
      name: body.name,
      features: [],
      included_requests: 0,
      included_ai_tokens: 0,
      ...columnsOf(body as PlanInput),
    };
    if (await planRowNamed(call.runtime.db, body.name))
      throw new ApiError('conflict', `A plan named '${body.name}' exists already`);
    // Two operators making the same name at once: the unique name refuses the second (409), and
    // its audit entry goes with its transaction.
    const names = Object.keys(columns);
    const insert: SqlStatement = {
      sql: `INSERT INTO plans (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
      parameters: Object.values(columns),
    };
    await systemTransaction(call.runtime.db, [insert, auditOf(call, 'plan.created', { after: body })]);
    const plan = await planRowNamed(call.runtime.db, body.name);
    return { status: 201, location: `/v1/platform/plans/${body.name}`, body: { data: presentPlan(plan!) } };
  },
});

const updatePlatformPlan = defineOperation({
  method: 'patch',
  path: '/v1/platform/plans/{name}',
  operationId: 'updatePlatformPlan',
  tag: PLATFORM_TAG,
  scope: 'platform:plans',
  authentication: 'operator',
  bucket: 'write',
  sdk: NOT_IN_SDKS,
  params: { name: { pattern: PLAN_NAME } },
  summary: 'Update a plan',
  description:
    "Any of the plan's parts. New rates, quotas and features apply from the next request of every account on " +
    'the plan; `archived: true` closes it to new subscriptions (accounts on it stay).',
  body: PlanUpdate,
  response: PlanObject,
  async handle(call) {
    const name = call.params.name;
    const before = await planRowNamed(call.runtime.db, name);
    if (!before) throw notFound('plan', name);
    const body = call.body as PlanInput;
    if (typeof body !== 'object' || body === null)
      throw validationFailed([{ path: '', message: 'The request body must be a JSON object' }]);
    const columns = columnsOf(body);
    const names = Object.keys(columns);
    if (names.length) {
      await systemTransaction(call.runtime.db, [
        {
          sql: `UPDATE plans SET ${names.map((column, i) => `${column} = $${i + 2}`).join(', ')}, updated_at = now()
                 WHERE name = $1`,
          parameters: [name, ...Object.values(columns)],
        },
        auditOf(call, 'plan.updated', { plan: name, before: presentPlan(before), after: body }),
      ]);
      await announcePlanChange(call, name);
    }
    return { status: 200, body: { data: presentPlan((await planRowNamed(call.runtime.db, name))!) } };
  },
});

export const planAdminOperations = [listPlatformPlans, createPlatformPlan, updatePlatformPlan];
