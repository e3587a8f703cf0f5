// Versioned migrations of platform administration: operators (people who run Fieldline, in no
// account), their sessions, what they did (an append-only log), and each account's status and
// limit overrides. None of these tables is granted to the tenant role: no tenant transaction can
// read or write them, whatever RLS would say.
import type { Migration } from '../db/migrate.ts';

export const PLATFORM_ADMIN_MIGRATIONS: readonly Migration[] = [
  {
    id: '0039_platform_operators',
    statements: [
      `CREATE TABLE platform_operators (
         id text PRIMARY KEY,
         email text NOT NULL,
         name text NOT NULL,
         password_hash text NOT NULL,
         status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
         created_at timestamptz NOT NULL,
         updated_at timestamptz NOT NULL
       )`,
      'CREATE UNIQUE INDEX platform_operators_email_idx ON platform_operators (lower(email))',
      // Only the SHA-256 of a session token is kept; ended_at is a sign-out.
      `CREATE TABLE platform_operator_sessions (
         token_hash bytea PRIMARY KEY,
         id text NOT NULL UNIQUE,
         operator_id text NOT NULL REFERENCES platform_operators (id),
         ip text,
         user_agent text,
         created_at timestamptz NOT NULL,
         expires_at timestamptz NOT NULL,
         ended_at timestamptz
       )`,
      'CREATE INDEX platform_operator_sessions_operator_idx ON platform_operator_sessions (operator_id)',
      // account_id names the account acted on without a foreign key: the entry outlives an
      // account deleted after its retention period.
      `CREATE TABLE platform_audit_entries (
         id text PRIMARY KEY,
         operator_id text,
         operator_email text,
         action text NOT NULL,
         account_id text,
         summary jsonb NOT NULL DEFAULT '{}',
         ip text,
         created_at timestamptz NOT NULL
       )`,
      'CREATE INDEX platform_audit_entries_at_idx ON platform_audit_entries (created_at, id)',
      'CREATE INDEX platform_audit_entries_account_idx ON platform_audit_entries (account_id, created_at)',
      // Append-only even for the application's own (superuser) connection.
      `CREATE FUNCTION platform_audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'platform_audit_entries is append-only'; END $$`,
      `CREATE TRIGGER platform_audit_entries_append_only BEFORE UPDATE OR DELETE ON platform_audit_entries
         FOR EACH ROW EXECUTE FUNCTION platform_audit_entries_append_only()`,
      `ALTER TABLE accounts
         ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
         ADD COLUMN status_changed_at timestamptz,
         ADD COLUMN limits jsonb`,
      'CREATE INDEX accounts_status_idx ON accounts (status, created_at, id)',
    ],
  },
];
