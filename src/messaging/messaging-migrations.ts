// Versioned migrations of the SMS outbox (src/messaging/channel-adapters.ts).
// Ids are global: every module's migrations apply in id order (src/platform/api/build-api.ts).
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import type { Migration } from '../db/migrate.ts';

export const MESSAGING_MIGRATIONS: readonly Migration[] = [
  {
    id: '0008_sms_outbox',
    statements: [
      // Text messages handed to the SMS channel (src/messaging/channel-adapters.ts), inserted in
      // the sending transaction. The development adapter's record of what would have been sent.
      `CREATE TABLE sms_outbox (
         id text PRIMARY KEY,
         account_id text NOT NULL REFERENCES accounts (id),
         message_id text NOT NULL,
         to_number text NOT NULL,
         body text NOT NULL,
         created_at timestamptz NOT NULL
       )`,
      ...rowLevelSecurity('sms_outbox'),
      `GRANT INSERT ON sms_outbox TO ${TENANT_ROLE}`,
    ],
  },
  {
    id: '0015_sms_relay',
    statements: [
      // The SMS relay (src/delivery/sms/sms-relay.ts) sends these rows: claimed (sending_at) before
      // the provider is called, so a row is never sent twice; each has its delivery record.
      `ALTER TABLE sms_outbox ADD COLUMN delivery_id text`,
      `ALTER TABLE sms_outbox ADD COLUMN attempts integer NOT NULL DEFAULT 0`,
      `ALTER TABLE sms_outbox ADD COLUMN next_attempt_at timestamptz`,
      `ALTER TABLE sms_outbox ADD COLUMN sending_at timestamptz`,
      `ALTER TABLE sms_outbox ADD COLUMN sent_at timestamptz`,
      `ALTER TABLE sms_outbox ADD COLUMN failed_at timestamptz`,
      `ALTER TABLE sms_outbox ADD COLUMN last_error text`,
      `ALTER TABLE sms_outbox ADD COLUMN provider_id text`,
      // Rows recorded before there was a relay were never meant to leave late: they stay unsent.
      `UPDATE sms_outbox SET failed_at = now(), last_error = 'recorded before the SMS relay existed; not sent'`,
      `CREATE INDEX sms_outbox_due_idx ON sms_outbox (next_attempt_at)
         WHERE sent_at IS NULL AND failed_at IS NULL AND sending_at IS NULL`,
    ],
  },
];
