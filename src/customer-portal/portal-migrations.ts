// Versioned migrations of the customer portal's own tables (its resources' tables are derived).
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import type { Migration } from '../db/migrate.ts';

export const PORTAL_MIGRATIONS: readonly Migration[] = [
  {
    id: '0022_customer_portal',
    statements: [
      // Staff's say over a customer's portal access: invited, or revoked (no row: the customer
      // may sign in with an address on record, as most portals allow).
      `CREATE TABLE customer_portal_access (
         account_id text NOT NULL REFERENCES accounts (id),
         customer_id text NOT NULL,
         status text NOT NULL CHECK (status IN ('invited', 'revoked')),
         changed_at timestamptz NOT NULL,
         PRIMARY KEY (account_id, customer_id)
       )`,
      ...rowLevelSecurity('customer_portal_access'),
      `GRANT SELECT, INSERT, UPDATE ON customer_portal_access TO ${TENANT_ROLE}`,
      // One-time sign-in codes and the magic link sent with each: only their HMACs are kept.
      `CREATE TABLE customer_sign_in_codes (
         id text PRIMARY KEY,
         account_id text NOT NULL REFERENCES accounts (id),
         customer_id text NOT NULL,
         contact_id text,
         sent_to text NOT NULL,
         code_hash bytea NOT NULL,
         link_hash bytea NOT NULL UNIQUE,
         attempts integer NOT NULL DEFAULT 0,
         expires_at timestamptz NOT NULL,
         used_at timestamptz,
         created_at timestamptz NOT NULL
       )`,
      `CREATE INDEX customer_sign_in_codes_sent_to_idx ON customer_sign_in_codes (account_id, sent_to, created_at)`,
      ...rowLevelSecurity('customer_sign_in_codes'),
      `GRANT SELECT, INSERT, UPDATE ON customer_sign_in_codes TO ${TENANT_ROLE}`,
      // Portal sessions: the token's SHA-256 only, found without a tenant by the verifier.
      `CREATE TABLE customer_sessions (
         id text PRIMARY KEY,
         account_id text NOT NULL REFERENCES accounts (id),
         customer_id text NOT NULL,
         contact_id text,
         token_hash bytea NOT NULL UNIQUE,
         ip text,
         user_agent text,
         created_at timestamptz NOT NULL,
         expires_at timestamptz NOT NULL,
         revoked_at timestamptz
       )`,
      `CREATE INDEX customer_sessions_customer_idx ON customer_sessions (account_id, customer_id)`,
      ...rowLevelSecurity('customer_sessions'),
      `GRANT SELECT, INSERT, UPDATE ON customer_sessions TO ${TENANT_ROLE}`,
    ],
  },
  {
    id: '0026_customer_portal_settings',
    statements: [
      // The account's customer pages' address (portal-address.ts): a slug unique across accounts.
      `CREATE TABLE customer_portal_settings (
         account_id text PRIMARY KEY REFERENCES accounts (id),
         slug text UNIQUE,
         updated_at timestamptz NOT NULL
       )`,
      ...rowLevelSecurity('customer_portal_settings'),
      `GRANT SELECT ON customer_portal_settings TO ${TENANT_ROLE}`,
    ],
  },
];
