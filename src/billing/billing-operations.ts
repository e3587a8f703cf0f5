// The account's side of billing: the plans it may choose (GET /v1/plans), its subscription (GET
// /v1/billing/subscription; POST /v1/account/subscription to change plan, owners only), and what
// it owes: this month's usage and the monthly invoices, computed from its usage counters.
import type Stripe from 'stripe';
import { z } from 'zod';
import { systemQuery } from '../db/system-query.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError, badRequest } from '../platform/errors.ts';
import { periodOf } from '../limits/monthly-quota.ts';
import { BILLING_TAG } from './billing-tag.ts';
import { changePlan } from './change-plan.ts';
import { stripeBillingOf } from './billing-services.ts';
import { PlanObject, presentPlan, type PlanRow } from './plan-rows.ts';
import { loadSubscription, presentSubscription, Subscription } from './subscriptions.ts';
import { loadAccountUsage, periodsOf, UsageStatement, usageStatement } from './usage-statement.ts';

export const BILLING_SCOPES = ['read:billing', 'write:billing'] as const;

const listPublicPlans = defineOperation({
  method: 'get',
  path: '/v1/plans',
  operationId: 'listPlans',
  tag: BILLING_TAG,
  scope: null,
  bucket: 'read',
  summary: 'List the plans an account may choose',
  description: 'Public plans that are not archived, cheapest first: price, rates, quotas, features and maxima.',
  response: z.array(PlanObject),
  async handle({ runtime }) {
    const rows = await systemQuery<{ plan_row: PlanRow }>(runtime.db, {
      sql: `SELECT to_jsonb(p) AS plan_row FROM plans p WHERE p.public AND NOT p.archived
             ORDER BY p.price_amount, p.name`,
      parameters: [],
    });
    const data = rows.map((row) => presentPlan(row.plan_row));
    return { status: 200, body: { data, page: { has_more: false, next_cursor: null } } };
  },
});

const getSubscription = defineOperation({
  method: 'get',
  path: '/v1/billing/subscription',
  operationId: 'getBillingSubscription',
  tag: BILLING_TAG,
  scope: 'read:billing',
  bucket: 'read',
  summary: "Retrieve the account's subscription",
  description: 'The plan the account is on, whether it is paid up, and whether it is charged through Stripe.',
  response: Subscription,
  async handle({ runtime, principal }) {
    const state = await loadSubscription(runtime.db, principal.accountId);
    return { status: 200, body: { data: presentSubscription(principal.accountId, state!, new Date()) } };
  },
});

const ChangePlan = z.strictObject({
  plan: z
    .string()
    .min(1)
    .max(64)
    .describe('The name of a plan (GET /v1/plans).')
    .meta({ examples: ['standard'] }),
});

const changeSubscription = defineOperation({
  method: 'post',
  path: '/v1/account/subscription',
  operationId: 'changeSubscription',
  tag: BILLING_TAG,
  scope: 'write:billing',
  bucket: 'write',
  summary: "Change the account's plan",
  description:
    'Owners only (a member of another role gets 403; an API key or OAuth app needs `write:billing`). The new ' +
    "plan's rates, quotas and features apply from the next request. A plan the account does not fit (more " +
    'members, automation rules, webhook endpoints or integrations than it allows, or a capability in use it ' +
    'leaves out) answers `409 plan_limits_exceeded` listing what to remove (`remove`); nothing is changed.',
  body: ChangePlan,
  response: Subscription,
  errors: [409],
  async handle({ runtime, principal, body }) {
    if (principal.userId && principal.role !== 'owner')
      throw new ApiError('forbidden', 'Only an owner of the account may change its plan', { required_role: 'owner' });
    const state = await changePlan(runtime, {
      accountId: principal.accountId,
      plan: body.plan,
      by: principal,
    });
    return { status: 200, body: { data: presentSubscription(principal.accountId, state, new Date()) } };
  },
});

const Period = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Expected a month: YYYY-MM')
  .describe('A calendar month (UTC), `YYYY-MM`; default this one.');

const getUsage = defineOperation({
  method: 'get',
  path: '/v1/billing/usage',
  operationId: 'getBillingUsage',
  tag: BILLING_TAG,
  scope: 'read:billing',
  bucket: 'read',
  summary: "A month's usage and what it costs",
  description:
    "The plan's price, and API requests and AI tokens used against what the plan includes, with the overage " +
    'beyond it (per 1,000 started). Computed from the usage counters; `charged` says whether Stripe bills it.',
  query: z.strictObject({ period: Period.optional() }),
  response: UsageStatement,
  async handle({ runtime, principal, query }) {
    const now = Date.now();
    const period = query?.period ?? periodOf(now);
    if (period > periodOf(now))
      throw badRequest(`period: ${period} has not begun`, [{ path: 'period', message: 'is in the future' }]);
    const [usage, state] = await Promise.all([
      loadAccountUsage(runtime.db, principal.accountId),
      loadSubscription(runtime.db, principal.accountId),
    ]);
    return { status: 200, body: { data: usageStatement(usage, period, Boolean(state?.stripeSubscriptionId)) } };
  },
});

const BillingInvoice = z.object({
  id: z.string().describe("Stripe's invoice id (`in_...`), or `cinv_YYYYMM` for one computed, not stored."),
  object: z.literal('billing_invoice'),
  period: z.string().describe('The month (UTC) it bills, `YYYY-MM`.'),
  status: z
    .enum(['upcoming', 'not_charged', 'draft', 'open', 'paid', 'uncollectible', 'void'])
    .describe("Computed: `upcoming` (this month) or `not_charged`; from Stripe: Stripe's invoice status."),
  source: z.enum(['stripe', 'computed']),
  currency: z.string(),
  lines: z.array(z.object({ description: z.string(), amount: z.number().int() })),
  total_amount: z.number().int(),
  hosted_invoice_url: z.string().nullable().describe("Stripe's page of the invoice, to pay it."),
});
type BillingInvoice = z.infer<typeof BillingInvoice>;

function computedInvoice(statement: UsageStatement, current: string): BillingInvoice {
  const { period, requests, ai_tokens: aiTokens } = statement;
  return {
    id: `cinv_${period.replace('-', '')}`,
    object: 'billing_invoice',
    period,
    status: period === current ? 'upcoming' : 'not_charged',
    source: 'computed',
    currency: statement.currency,
    lines: [
      { description: `${statement.plan} plan, ${period}`, amount: statement.base_amount },
      {
        description: `API requests beyond ${requests.included}: ${requests.billable_units} × 1,000`,
        amount: requests.amount,
      },
      {
        description: `AI tokens beyond ${aiTokens.included}: ${aiTokens.billable_units} × 1,000`,
        amount: aiTokens.amount,
      },
    ],
    total_amount: statement.total_amount,
    hosted_invoice_url: null,
  };
}

function stripeInvoice(invoice: Stripe.Invoice): BillingInvoice {
  return {
    id: invoice.id ?? '',
    object: 'billing_invoice',
    period: new Date(invoice.period_start * 1000).toISOString().slice(0, 7),
    status: (invoice.status ?? 'draft') as BillingInvoice['status'],
    source: 'stripe',
    currency: invoice.currency,
    lines: invoice.lines.data.map((line) => ({ description: line.description ?? '', amount: line.amount })),
    total_amount: invoice.total,
    hosted_invoice_url: invoice.hosted_invoice_url ?? null,
  };
}

const listInvoices = defineOperation({
  method: 'get',
  path: '/v1/billing/invoices',
  operationId: 'listBillingInvoices',
  tag: BILLING_TAG,
  scope: 'read:billing',
  bucket: 'read',
  summary: "The account's monthly invoices",
  description:
    "Billed through Stripe: Stripe's invoices of the account (up to 24, newest first). Otherwise one per month " +
    'with usage (up to 24), newest first: this month as `upcoming`, the others computed from the usage counters ' +
    'at the plan in force at the month’s end (`not_charged`).',
  response: z.array(BillingInvoice),
  async handle({ runtime, principal }) {
    const stripe = stripeBillingOf(runtime);
    const state = await loadSubscription(runtime.db, principal.accountId);
    let data: BillingInvoice[];
    if (stripe && state?.stripeCustomerId) {
      data = (await stripe.invoices(state.stripeCustomerId)).map(stripeInvoice);
    } else {
      const now = Date.now();
      const usage = await loadAccountUsage(runtime.db, principal.accountId);
      data = periodsOf(usage, now).map((period) =>
        computedInvoice(usageStatement(usage, period, false), periodOf(now)),
      );
    }
    return { status: 200, body: { data, page: { has_more: false, next_cursor: null } } };
  },
});

export const billingOperations = [listPublicPlans, getSubscription, changeSubscription, getUsage, listInvoices];
