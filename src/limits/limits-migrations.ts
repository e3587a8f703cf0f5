// Versioned migrations of plans, key rate overrides and the monthly usage counters (src/limits).
// Ids are global: every module's migrations apply in id order (src/platform/api/build-api.ts).
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import type { Migration } from '../db/migrate.ts';

export const LIMITS_MIGRATIONS: readonly Migration[] = [
  {
    id: '0003_plans_and_usage',
    statements: [
      // Plans name limits defined in code (src/limits/plans.ts); unknown names fall back to the default.
      `ALTER TABLE accounts ADD COLUMN plan text NOT NULL DEFAULT 'standard'`,
      `ALTER TABLE accounts ADD COLUMN cors_allowed_origins text[] NOT NULL DEFAULT '{}'`,
      `ALTER TABLE api_keys ADD COLUMN rate_limits jsonb`,
      // Monthly usage per account, advanced in batches by every API node (src/limits/monthly-quota.ts).
      `CREATE TABLE usage_counters (
         account_id text NOT NULL REFERENCES accounts (id),
         period text NOT NULL,
         requests bigint NOT NULL DEFAULT 0,
         webhook_deliveries bigint NOT NULL DEFAULT 0,
         warned_at timestamptz,
         PRIMARY KEY (account_id, period)
       )`,
      ...rowLevelSecurity('usage_counters'),
      `GRANT SELECT ON usage_counters TO ${TENANT_ROLE}`,
    ],
  },
  {
    id: '0020_automation_run_quota',
    statements: [
      // Automation runs count against the plan like requests and deliveries (src/automation/run-quota.ts).
      `ALTER TABLE usage_counters ADD COLUMN automation_runs bigint NOT NULL DEFAULT 0`,
      `ALTER TABLE usage_counters ADD COLUMN automation_runs_warned_at timestamptz`,
    ],
  },
  {
    id: '0030_ai_token_quota',
    statements: [
      // LLM tokens (input and output) count against the plan like runs and deliveries (src/ai/llm-client.ts).
      `ALTER TABLE usage_counters ADD COLUMN ai_tokens bigint NOT NULL DEFAULT 0`,
      `ALTER TABLE usage_counters ADD COLUMN ai_tokens_warned_at timestamptz`,
    ],
  },
];
