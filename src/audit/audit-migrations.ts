// Versioned migrations of the audit module. The audit_log table itself is the resource's
// (audit-log-resource.ts: made after migrations, on a new database too); what it needs before
// then is here: the trigger function that keeps it append-only.
import type { Migration } from '../db/migrate.ts';
import { PURGE_SETTING } from './audit-log-resource.ts';

export const AUDIT_MIGRATIONS: readonly Migration[] = [
  {
    id: '0045_audit_log_append_only',
    statements: [
      // For every role, the superuser the platform connects as included: only a transaction that
      // set the purge setting (the retention purge, audit-purge.ts) may delete; nothing may update.
      `CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND current_setting('${PURGE_SETTING}', true) = 'on' THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
       END $$`,
    ],
  },
  {
    id: '0046_audit_log_sign_ins',
    statements: [
      // An existing database has sign-ins in audit_entries: they are copied into the audit trail once,
      // here, so the table is made now (as the resource declares it; its indexes, trigger, row-level
      // security and grants follow with the resource schema). A new database has nothing to copy.
      `DO $$ BEGIN
         IF to_regclass('audit_entries') IS NOT NULL THEN
           CREATE TABLE IF NOT EXISTS audit_log (
             id text PRIMARY KEY,
             account_id text NOT NULL REFERENCES accounts (id),
             action text, actor_type text, actor_id text, on_behalf_of text,
             resource_type text, resource_id text, request_id text, ip text, user_agent text,
             changes jsonb,
             created_at timestamptz NOT NULL,
             updated_at timestamptz NOT NULL,
             CONSTRAINT audit_log_account_id_id_key UNIQUE (account_id, id)
           );
           INSERT INTO audit_log (id, account_id, action, actor_type, actor_id, resource_type, resource_id,
                                  ip, user_agent, changes, created_at, updated_at)
             SELECT id, account_id, action, 'member', user_id, 'user', user_id, ip_address, user_agent,
                    jsonb_build_object('email', email, 'via', via), created_at, updated_at
               FROM audit_entries
             ON CONFLICT (id) DO NOTHING;
         END IF;
       END $$`,
      // Voice commands named OAuth apps `oauth_client`; the actor types everywhere now say `oauth_app`.
      `DO $$ BEGIN
         IF to_regclass('voice_commands') IS NOT NULL THEN
           UPDATE voice_commands SET actor_type = 'oauth_app' WHERE actor_type = 'oauth_client';
         END IF;
       END $$`,
    ],
  },
];
