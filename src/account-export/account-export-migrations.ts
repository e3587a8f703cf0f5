// Versioned migrations of account export and deletion: the archives asked for (a tenant table,
// read by the account under row-level security) and the tombstones of closed accounts (the
// platform's: no tenant grant, and no foreign key, since a tombstone outlives its account).
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import type { Migration } from '../db/migrate.ts';

export const ACCOUNT_EXPORT_MIGRATIONS: readonly Migration[] = [
  {
    id: '0049_account_exports',
    statements: [
      `CREATE TABLE account_exports (
         id text PRIMARY KEY,
         account_id text NOT NULL REFERENCES accounts (id),
         status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
         requested_by text,
         counts jsonb,
         file_count integer,
         bytes bigint,
         error text,
         attempts integer NOT NULL DEFAULT 0,
         lease_expires_at timestamptz,
         started_at timestamptz,
         finished_at timestamptz,
         expires_at timestamptz,
         file_removed_at timestamptz,
         created_at timestamptz NOT NULL,
         updated_at timestamptz NOT NULL,
         CONSTRAINT account_exports_account_id_id_key UNIQUE (account_id, id)
       )`,
      // Split in the source only: the statement is the text first applied.
      'CREATE INDEX account_exports_unfinished_idx ON account_exports (created_at) ' +
        `WHERE status IN ('queued', 'running')`,
      `CREATE INDEX account_exports_kept_idx ON account_exports (expires_at)
         WHERE status = 'succeeded' AND file_removed_at IS NULL`,
      ...rowLevelSecurity('account_exports'),
      `GRANT SELECT, INSERT ON account_exports TO ${TENANT_ROLE}`,
    ],
  },
  {
    id: '0050_closed_accounts',
    statements: [
      // One row per closed account: what remains of it once its data is deleted (deleted_at set).
      // Its data goes FIELDLINE_ACCOUNT_RETENTION_DAYS after closed_at (as configured when the purge
      // runs); reopening before then removes the row.
      `CREATE TABLE closed_accounts (
         account_id text PRIMARY KEY,
         closed_at timestamptz NOT NULL,
         closed_by text,
         deleted_at timestamptz
       )`,
      'CREATE INDEX closed_accounts_due_idx ON closed_accounts (closed_at) WHERE deleted_at IS NULL',
    ],
  },
];
