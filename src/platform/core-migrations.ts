// Versioned migrations of the platform's own tables: accounts (tenants), idempotency keys and
// the reference check every write uses. 0001 also made the first api_keys table, before auth
// had tables of its own.
// Ids are global: every module's migrations apply in id order (src/platform/api/build-api.ts).
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from './ddl/resource-ddl.ts';
import type { Migration } from '../db/migrate.ts';

export const CORE_MIGRATIONS: readonly Migration[] = [
  {
    id: '0001_platform',
    statements: [
      // Roles are cluster-wide: another database (or a concurrent test run) may have made it.
      `DO $$ BEGIN CREATE ROLE ${TENANT_ROLE} NOLOGIN;
       EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
      `CREATE TABLE accounts (
         id text PRIMARY KEY,
         name text NOT NULL,
         created_at timestamptz NOT NULL,
         updated_at timestamptz NOT NULL
       )`,
      `ALTER TABLE accounts ENABLE ROW LEVEL SECURITY`,
      `CREATE POLICY tenant_isolation ON accounts USING (id = current_setting('app.account_id', true))`,
      `GRANT SELECT ON accounts TO ${TENANT_ROLE}`,
      `CREATE TABLE api_keys (
         id text PRIMARY KEY,
         account_id text NOT NULL REFERENCES accounts (id),
         name text NOT NULL,
         mode text NOT NULL CHECK (mode IN ('live', 'test')),
         lookup text NOT NULL UNIQUE,
         secret_hash bytea NOT NULL,
         last4 text NOT NULL,
         scopes text[] NOT NULL,
         created_at timestamptz NOT NULL,
         expires_at timestamptz,
         revoked_at timestamptz,
         last_used_at timestamptz
       )`,
      `CREATE INDEX api_keys_account_idx ON api_keys (account_id, created_at)`,
      ...rowLevelSecurity('api_keys'),
      `GRANT SELECT ON api_keys TO ${TENANT_ROLE}`,
      // Raised inside a write's own round trip when a reference points nowhere (see row-statements.ts).
      `CREATE OR REPLACE FUNCTION fieldline_require_reference(ok boolean, field text, message text) RETURNS boolean
       LANGUAGE plpgsql AS $fn$
       BEGIN
         IF NOT ok THEN RAISE EXCEPTION USING ERRCODE = 'FLREF', MESSAGE = message, DETAIL = field; END IF;
         RETURN true;
       END $fn$`,
    ],
  },
  {
    id: '0002_idempotency_keys',
    statements: [
      // One row per account and Idempotency-Key: claimed (in_progress), then committed in the
      // same transaction as the write, then completed with the exact response to replay.
      `CREATE TABLE idempotency_keys (
         account_id text NOT NULL REFERENCES accounts (id),
         key text NOT NULL,
         request_hash text NOT NULL,
         status text NOT NULL CHECK (status IN ('in_progress', 'committed', 'completed')),
         response_status integer,
         response_headers jsonb,
         response_body text,
         created_at timestamptz NOT NULL,
         updated_at timestamptz NOT NULL,
         PRIMARY KEY (account_id, key)
       )`,
      `CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at)`,
      ...rowLevelSecurity('idempotency_keys'),
      `GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO ${TENANT_ROLE}`,
    ],
  },
  {
    id: '0005_account_notification_emails',
    statements: [
      // Where operational notices go (a webhook endpoint disabled for failing); see PATCH /v1/account.
      `ALTER TABLE accounts ADD COLUMN notification_emails text[] NOT NULL DEFAULT '{}'`,
    ],
  },
  {
    id: '0016_periodic_job_rounds',
    statements: [
      // The last claimed round of each periodic job (src/platform/jobs/periodic-job.ts): one node per round.
      `CREATE TABLE periodic_job_rounds (name text PRIMARY KEY, started_at timestamptz NOT NULL)`,
    ],
  },
];
