// Versioned migration of the rest-hooks module's own table: which webhook endpoints were made by a
// REST-hook subscription (POST /v1/hooks), so that DELETE /v1/hooks/{id} removes only those.
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import type { Migration } from '../db/migrate.ts';

export const REST_HOOK_MIGRATIONS: readonly Migration[] = [
  {
    id: '0034_rest_hooks',
    statements: [
      // endpoint_id names a webhook endpoint (a resource table, made after the migrations run on a
      // new database, hence no foreign key); the subscription is deleted with its endpoint.
      `CREATE TABLE rest_hooks (
         id text PRIMARY KEY,
         account_id text NOT NULL REFERENCES accounts (id),
         endpoint_id text NOT NULL,
         event text NOT NULL,
         target_url text NOT NULL,
         created_at timestamptz NOT NULL,
         UNIQUE (account_id, endpoint_id)
       )`,
      'CREATE INDEX rest_hooks_account_idx ON rest_hooks (account_id, created_at)',
      ...rowLevelSecurity('rest_hooks'),
      `GRANT SELECT, INSERT, DELETE ON rest_hooks TO ${TENANT_ROLE}`,
    ],
  },
];
