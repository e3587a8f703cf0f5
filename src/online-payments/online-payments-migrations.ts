// Versioned migrations of the online-payments module's own table. Ids are global: every
// module's migrations apply in id order (src/platform/api/build-api.ts).
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import type { Migration } from '../db/migrate.ts';

export const ONLINE_PAYMENTS_MIGRATIONS: readonly Migration[] = [
  {
    id: '0021_stripe_connections',
    statements: [
      // The account's Stripe account (src/online-payments/stripe-connection.ts), one row per
      // account: the secret key sealed with the server's key like every secret we read back. Card
      // payments read it in tenant transactions; only the account's owners and admins change it.
      `CREATE TABLE stripe_connections (
         account_id text PRIMARY KEY REFERENCES accounts (id),
         secret_key text NOT NULL,
         publishable_key text NOT NULL,
         mode text NOT NULL CHECK (mode IN ('test', 'live')),
         stripe_account_id text NOT NULL,
         stripe_account_name text,
         connected_at timestamptz NOT NULL
       )`,
      ...rowLevelSecurity('stripe_connections'),
      `GRANT SELECT ON stripe_connections TO ${TENANT_ROLE}`,
    ],
  },
];
