// Versioned migrations of plans and billing (src/billing): the plans table, seeded from the plans
// Fieldline starts with (src/limits/plans.ts), which every account's plan now names; and each
// account's subscription state (past due, its Stripe customer and subscription) and its plan changes.
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import { PLANS, type PlanSeed } from '../limits/plans.ts';
import type { Migration } from '../db/migrate.ts';

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;
const nullable = (value: number | null) => (value === null ? 'NULL' : String(value));

function seedRow(plan: PlanSeed): string {
  const rates = Object.fromEntries(
    Object.entries(plan.rates).map(([bucket, r]) => [bucket, { limit: r.limit, window_seconds: r.windowSeconds }]),
  );
  const values = [
    literal(`plan_${plan.name}`),
    literal(plan.name),
    literal(plan.description),
    `ARRAY[${plan.features.map(literal).join(', ')}]::text[]`,
    `${literal(JSON.stringify(rates))}::jsonb`,
    plan.monthlyRequests,
    plan.monthlyWebhookDeliveries,
    plan.monthlyAutomationRuns,
    plan.monthlyAiTokens,
    plan.price.amount,
    literal(plan.price.currency),
    plan.included.requests,
    plan.included.aiTokens,
    plan.overage.per1000Requests,
    plan.overage.per1000AiTokens,
    nullable(plan.maxima.members),
    nullable(plan.maxima.automationRules),
    nullable(plan.maxima.webhookEndpoints),
    nullable(plan.maxima.integrations),
  ];
  return `(${values.join(', ')})`;
}

export const BILLING_MIGRATIONS: readonly Migration[] = [
  {
    id: '0041_plans_as_data',
    statements: [
      // A system table: no account owns a plan. The tenant role reads it for joins (a quota's plan).
      `CREATE TABLE plans (
         id text PRIMARY KEY,
         name text NOT NULL UNIQUE,
         description text NOT NULL DEFAULT '',
         features text[] NOT NULL DEFAULT '{}',
         rates jsonb NOT NULL,
         monthly_requests bigint NOT NULL,
         monthly_webhook_deliveries bigint NOT NULL,
         monthly_automation_runs bigint NOT NULL,
         monthly_ai_tokens bigint NOT NULL,
         price_amount bigint NOT NULL CHECK (price_amount >= 0),
         currency text NOT NULL,
         billing_interval text NOT NULL DEFAULT 'month' CHECK (billing_interval = 'month'),
         stripe_price_id text,
         included_requests bigint NOT NULL,
         included_ai_tokens bigint NOT NULL,
         overage_per_1000_requests bigint NOT NULL DEFAULT 0,
         overage_per_1000_ai_tokens bigint NOT NULL DEFAULT 0,
         max_members integer,
         max_automation_rules integer,
         max_webhook_endpoints integer,
         max_integrations integer,
         public boolean NOT NULL DEFAULT true,
         archived boolean NOT NULL DEFAULT false,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now()
       )`,
      `INSERT INTO plans (id, name, description, features, rates, monthly_requests, monthly_webhook_deliveries,
         monthly_automation_runs, monthly_ai_tokens, price_amount, currency, included_requests, included_ai_tokens,
         overage_per_1000_requests, overage_per_1000_ai_tokens, max_members, max_automation_rules,
         max_webhook_endpoints, max_integrations)
       VALUES ${Object.values(PLANS).map(seedRow).join(',\n')}`,
      `GRANT SELECT ON plans TO ${TENANT_ROLE}`,
      // Unknown names used to mean the default plan; now every account names a row.
      `UPDATE accounts SET plan = 'standard' WHERE plan NOT IN (SELECT name FROM plans)`,
      `ALTER TABLE accounts ADD CONSTRAINT accounts_plan_fkey FOREIGN KEY (plan) REFERENCES plans (name)`,
      // The state of an account's subscription; no row: active, never billed through Stripe.
      `CREATE TABLE billing_subscriptions (
         account_id text PRIMARY KEY REFERENCES accounts (id),
         status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'past_due')),
         past_due_since timestamptz,
         stripe_customer_id text UNIQUE,
         stripe_subscription_id text UNIQUE,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now()
       )`,
      ...rowLevelSecurity('billing_subscriptions'),
      `GRANT SELECT ON billing_subscriptions TO ${TENANT_ROLE}`,
      // Which plan was in force when: a month's usage is billed at the plan in force at its end.
      `CREATE TABLE plan_changes (
         id text PRIMARY KEY,
         account_id text NOT NULL REFERENCES accounts (id),
         from_plan text NOT NULL,
         to_plan text NOT NULL REFERENCES plans (name),
         changed_by text NOT NULL,
         changed_at timestamptz NOT NULL
       )`,
      'CREATE INDEX plan_changes_account_idx ON plan_changes (account_id, changed_at)',
      ...rowLevelSecurity('plan_changes'),
      `GRANT SELECT ON plan_changes TO ${TENANT_ROLE}`,
    ],
  },
  {
    id: '0042_stripe_billing',
    statements: [
      // The metered prices of overage (Stripe prices on a billing meter), beside the plan's base price.
      'ALTER TABLE plans ADD COLUMN stripe_requests_price_id text',
      'ALTER TABLE plans ADD COLUMN stripe_ai_tokens_price_id text',
      // How much overage has been reported to Stripe per month, so each report sends only what is new.
      `CREATE TABLE billing_usage_reports (
         account_id text NOT NULL REFERENCES accounts (id),
         period text NOT NULL,
         requests_units bigint NOT NULL DEFAULT 0,
         ai_token_units bigint NOT NULL DEFAULT 0,
         reported_at timestamptz NOT NULL,
         PRIMARY KEY (account_id, period)
       )`,
      ...rowLevelSecurity('billing_usage_reports'),
      `GRANT SELECT ON billing_usage_reports TO ${TENANT_ROLE}`,
    ],
  },
  {
    id: '0051_billing_suspension',
    statements: [
      // When billing suspended the account for not paying (the instant of that status change), so a
      // paid invoice lifts that suspension, and only that one: not one an operator made since.
      'ALTER TABLE billing_subscriptions ADD COLUMN suspended_at timestamptz',
    ],
  },
];
