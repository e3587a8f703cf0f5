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
  {
    id: '0019_push_and_notification_preferences',
    statements: [
      // The server's VAPID key pair (src/delivery/push/vapid-keys.ts), made on first use when the
      // environment gives none: a row per secret key (named by a digest of it), the private key
      // sealed with that key like every secret we read back.
      `CREATE TABLE push_vapid_keys (
         sealed_with text PRIMARY KEY,
         public_key text NOT NULL,
         private_key text NOT NULL,
         created_at timestamptz NOT NULL
       )`,
      // Pushes waiting for the push relay (src/delivery/push/push-relay.ts), one per subscription,
      // written with their delivery record in the transaction that caused them.
      `CREATE TABLE push_outbox (
         id text PRIMARY KEY,
         account_id text NOT NULL REFERENCES accounts (id),
         subscription_id text NOT NULL,
         delivery_id text NOT NULL,
         payload text NOT NULL,
         attempts integer NOT NULL DEFAULT 0,
         next_attempt_at timestamptz NOT NULL,
         sending_at timestamptz,
         sent_at timestamptz,
         failed_at timestamptz,
         last_error text,
         created_at timestamptz NOT NULL
       )`,
      `CREATE INDEX push_outbox_due_idx ON push_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL`,
      ...rowLevelSecurity('push_outbox'),
      `GRANT INSERT ON push_outbox TO ${TENANT_ROLE}`,
      // Each member's choice of channels per kind of notification (src/delivery/notify); no row: the defaults.
      `CREATE TABLE notification_preferences (
         account_id text NOT NULL REFERENCES accounts (id),
         user_id text NOT NULL,
         preferences jsonb NOT NULL,
         updated_at timestamptz NOT NULL,
         PRIMARY KEY (account_id, user_id)
       )`,
      ...rowLevelSecurity('notification_preferences'),
      `GRANT SELECT, INSERT, UPDATE ON notification_preferences TO ${TENANT_ROLE}`,
      // Texts now carry notifications as well as conversation messages.
      `ALTER TABLE sms_outbox ALTER COLUMN message_id DROP NOT NULL`,
    ],
  },
];
