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
];
