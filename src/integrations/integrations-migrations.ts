// The integrations framework's own tables (the `integrations` and `integration-syncs` resource
// tables are derived from their declarations). Tokens and OAuth states are read and written only
// by the server's own queries, never in a tenant transaction: a tenant's SQL cannot see them.
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import type { Migration } from '../db/migrate.ts';

export const INTEGRATIONS_MIGRATIONS: readonly Migration[] = [
  {
    id: '0032_integrations',
    statements: [
      // One connection's tokens, sealed with the server's key (SecretBox); forgotten on DELETE.
      `CREATE TABLE integration_tokens (
         account_id text NOT NULL REFERENCES accounts (id),
         provider text NOT NULL,
         access_token text NOT NULL,
         refresh_token text,
         expires_at timestamptz,
         updated_at timestamptz NOT NULL,
         PRIMARY KEY (account_id, provider)
       )`,
      ...rowLevelSecurity('integration_tokens'),
      // The `state` of a connect flow under way: stored hashed, single use (used_at), short-lived,
      // bound to the account and the member (or key) that started it; the PKCE verifier sealed.
      `CREATE TABLE integration_oauth_states (
         state_hash text PRIMARY KEY,
         account_id text NOT NULL REFERENCES accounts (id),
         provider text NOT NULL,
         started_by text NOT NULL,
         code_verifier text,
         redirect_uri text NOT NULL,
         expires_at timestamptz NOT NULL,
         used_at timestamptz,
         created_at timestamptz NOT NULL
       )`,
      'CREATE INDEX integration_oauth_states_expiry ON integration_oauth_states (expires_at)',
      ...rowLevelSecurity('integration_oauth_states'),
      // External ids of our records, per provider (src/integrations/integration-links.ts).
      `CREATE TABLE integration_links (
         account_id text NOT NULL REFERENCES accounts (id),
         provider text NOT NULL,
         collection text NOT NULL,
         record_id text NOT NULL,
         external_id text NOT NULL,
         metadata jsonb NOT NULL DEFAULT '{}',
         created_at timestamptz NOT NULL,
         updated_at timestamptz NOT NULL,
         PRIMARY KEY (account_id, provider, collection, external_id)
       )`,
      'CREATE INDEX integration_links_record ON integration_links (account_id, provider, collection, record_id)',
      ...rowLevelSecurity('integration_links'),
      `GRANT SELECT, INSERT, UPDATE, DELETE ON integration_links TO ${TENANT_ROLE}`,
      // Where each kind of sync of a connection stopped: written with the page it follows.
      `CREATE TABLE integration_sync_cursors (
         account_id text NOT NULL REFERENCES accounts (id),
         provider text NOT NULL,
         kind text NOT NULL,
         cursor jsonb NOT NULL,
         updated_at timestamptz NOT NULL,
         PRIMARY KEY (account_id, provider, kind)
       )`,
      ...rowLevelSecurity('integration_sync_cursors'),
      `GRANT SELECT, INSERT, UPDATE, DELETE ON integration_sync_cursors TO ${TENANT_ROLE}`,
      // Mail sent through a connected mailbox: queued with its message (POST /v1/messages/send),
      // sent after commit by the mailbox relay (src/integrations/mailbox-relay.ts).
      `CREATE TABLE integration_mail_outbox (
         id text PRIMARY KEY,
         account_id text NOT NULL REFERENCES accounts (id),
         provider text NOT NULL,
         message_id text,
         delivery_id text,
         to_address text NOT NULL,
         subject text NOT NULL,
         body text NOT NULL,
         attempts integer NOT NULL DEFAULT 0,
         next_attempt_at timestamptz,
         sending_at timestamptz,
         sent_at timestamptz,
         failed_at timestamptz,
         external_id text,
         last_error text,
         created_at timestamptz NOT NULL
       )`,
      `CREATE INDEX integration_mail_outbox_due ON integration_mail_outbox (next_attempt_at)
         WHERE sent_at IS NULL AND failed_at IS NULL`,
      ...rowLevelSecurity('integration_mail_outbox'),
      `GRANT INSERT ON integration_mail_outbox TO ${TENANT_ROLE}`,
    ],
  },
  {
    id: '0037_member_integrations',
    statements: [
      // Per-member connections (a member's own calendar): their tokens, cursors and connect flows
      // carry the member; '' is the account-wide connection (mailboxes, accounting).
      `ALTER TABLE integration_tokens ADD COLUMN IF NOT EXISTS member_id text NOT NULL DEFAULT ''`,
      'ALTER TABLE integration_tokens DROP CONSTRAINT IF EXISTS integration_tokens_pkey',
      'ALTER TABLE integration_tokens ADD PRIMARY KEY (account_id, provider, member_id)',
      `ALTER TABLE integration_sync_cursors ADD COLUMN IF NOT EXISTS member_id text NOT NULL DEFAULT ''`,
      'ALTER TABLE integration_sync_cursors DROP CONSTRAINT IF EXISTS integration_sync_cursors_pkey',
      'ALTER TABLE integration_sync_cursors ADD PRIMARY KEY (account_id, provider, kind, member_id)',
      'ALTER TABLE integration_oauth_states ADD COLUMN IF NOT EXISTS member_id text',
    ],
  },
];
