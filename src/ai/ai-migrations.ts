// Versioned migrations of the AI module's own table (the llm-providers resource table is derived).
// Ids are global: every module's migrations apply in id order (src/platform/api/build-api.ts).
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import type { Migration } from '../db/migrate.ts';

export const AI_MIGRATIONS: readonly Migration[] = [
  {
    id: '0031_ai_usage',
    statements: [
      // One row per call to an LLM provider: what GET /v1/usage reports by provider and purpose.
      // The monthly quota counts the same tokens in usage_counters.ai_tokens (src/limits).
      `CREATE TABLE ai_usage (
         account_id text NOT NULL REFERENCES accounts (id),
         provider_id text NOT NULL,
         provider_kind text NOT NULL,
         model text NOT NULL,
         purpose text NOT NULL,
         ok boolean NOT NULL,
         input_tokens integer NOT NULL DEFAULT 0,
         output_tokens integer NOT NULL DEFAULT 0,
         latency_ms integer NOT NULL,
         created_at timestamptz NOT NULL
       )`,
      'CREATE INDEX ai_usage_account_created ON ai_usage (account_id, created_at)',
      ...rowLevelSecurity('ai_usage'),
      `GRANT SELECT, INSERT ON ai_usage TO ${TENANT_ROLE}`,
    ],
  },
];
