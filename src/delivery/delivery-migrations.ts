// Versioned migrations of the delivery module's own tables (its resources' tables are derived).
// Ids are global: every module's migrations apply in id order (src/platform/api/build-api.ts).
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import type { Migration } from '../db/migrate.ts';

export const DELIVERY_MIGRATIONS: readonly Migration[] = [
  {
    id: '0014_account_branding',
    statements: [
      // What documents print about the business (src/delivery/branding.ts); one row per account,
      // made on its first change. Documents are printed in tenant transactions, which read it.
      `CREATE TABLE account_branding (
         account_id text PRIMARY KEY REFERENCES accounts (id),
         business_name text,
         address text,
         tax_id text,
         email text,
         phone text,
         footer text,
         payment_terms_days integer,
         time_zone text,
         currency text,
         logo_base64 text,
         logo_content_type text,
         updated_at timestamptz NOT NULL
       )`,
      ...rowLevelSecurity('account_branding'),
      `GRANT SELECT ON account_branding TO ${TENANT_ROLE}`,
    ],
  },
  {
    id: '0017_invoice_reminders',
    statements: [
      `ALTER TABLE account_branding ADD COLUMN overdue_reminder_days integer[]`,
      // Each reminder of an overdue invoice, written with its mail (src/delivery/dunning): the key
      // makes it once. No delivery: the customer had no address to remind.
      `CREATE TABLE invoice_reminders (
         account_id text NOT NULL REFERENCES accounts (id),
         invoice_id text NOT NULL,
         days_after_due integer NOT NULL,
         delivery_id text,
         created_at timestamptz NOT NULL,
         PRIMARY KEY (account_id, invoice_id, days_after_due)
       )`,
      ...rowLevelSecurity('invoice_reminders'),
      `GRANT SELECT, INSERT, UPDATE ON invoice_reminders TO ${TENANT_ROLE}`,
    ],
  },
];
