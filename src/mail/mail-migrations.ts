// Versioned migrations of the mail outbox (src/mail/mail-outbox.ts).
// Ids are global: every module's migrations apply in id order (src/platform/api/build-api.ts).
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import type { Migration } from '../db/migrate.ts';

export const MAIL_MIGRATIONS: readonly Migration[] = [
  {
    id: '0004_mail_outbox',
    statements: [
      // Mail waiting for (or done with) the transport; see src/mail/mail-outbox.ts.
      `CREATE TABLE mail_outbox (
         id text PRIMARY KEY,
         account_id text REFERENCES accounts (id),
         to_addresses text[] NOT NULL,
         subject text NOT NULL,
         text_body text NOT NULL,
         attempts integer NOT NULL DEFAULT 0,
         next_attempt_at timestamptz NOT NULL,
         last_error text,
         sent_at timestamptz,
         failed_at timestamptz,
         created_at timestamptz NOT NULL
       )`,
      `CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL`,
    ],
  },
  {
    id: '0007_tenant_mail',
    statements: [
      // Resources queue mail inside their own transaction (a review request's link), as the
      // tenant role: it may add mail for its own account, and read or change none.
      ...rowLevelSecurity('mail_outbox'),
      `GRANT INSERT ON mail_outbox TO ${TENANT_ROLE}`,
    ],
  },
  {
    id: '0009_mail_html',
    statements: [
      // Campaign mail carries an HTML alternative (src/messaging/email-rendering.ts).
      `ALTER TABLE mail_outbox ADD COLUMN html_body text`,
    ],
  },
  {
    id: '0013_mail_attachments_and_deliveries',
    statements: [
      // Copies, files a mail carries (a document's PDF, base64 in JSON), and the account's record of the
      // mail (a `deliveries` row) that the relay keeps in step (src/delivery/delivery-log.ts).
      `ALTER TABLE mail_outbox ADD COLUMN cc_addresses text[]`,
      `ALTER TABLE mail_outbox ADD COLUMN attachments jsonb`,
      `ALTER TABLE mail_outbox ADD COLUMN delivery_id text`,
    ],
  },
  {
    id: '0018_mail_headers',
    statements: [
      // Header fields a mail carries besides the transport's own (campaign mail's List-Unsubscribe).
      `ALTER TABLE mail_outbox ADD COLUMN headers jsonb`,
    ],
  },
];
