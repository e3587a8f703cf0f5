// The audit log of sign-ins: every attempt with a password for a person who is a member of the
// account, successful or not, with where it came from. Read through GET /v1/audit-entries by
// owners and admins; written only by recordSignIn. Attempts for an email that is no one's have
// no account to belong to: they are counted by the sign-in throttle and logged, not listed.
import type { Database } from '../db/database.ts';
import { systemQuery, systemTransaction } from '../db/system-query.ts';
import { newId } from '../platform/ids.ts';
import { insertRow } from '../platform/operations/row-statements.ts';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';

export const SIGN_IN_ACTIONS = ['sign_in.succeeded', 'sign_in.failed'] as const;

export const auditEntries = defineResource({
  name: 'audit_entry',
  collection: 'audit-entries',
  idPrefix: 'aud',
  description:
    'A sign-in to the account, or an attempt: who, from where, and whether it succeeded. ' +
    'Entries are never changed or deleted.',
  operations: ['list', 'get'],
  limitedBecause: 'The audit log is written by sign-ins only and never changed, so it can be trusted.',
  emitsEvents: false,
  fields: {
    action: field.enum(SIGN_IN_ACTIONS).readOnly().filterable().example('sign_in.failed'),
    person_id: field.text().readOnly().filterable().describe('The person the email belongs to.'),
    user_id: field.text().readOnly().filterable().describe('Their membership (`users` row) in this account.'),
    email: field.text().readOnly().filterable(),
    ip_address: field.text().readOnly().describe('As far as it is known (see FIELDLINE_TRUST_PROXY).'),
    user_agent: field.text().readOnly(),
    via: field
      .enum(['api', 'oauth'])
      .readOnly()
      .filterable()
      .describe("`api`: POST /v1/auth/sign-in; `oauth`: the sign-in page of an app's authorization."),
  },
});

export interface SignInAttempt {
  email: string;
  succeeded: boolean;
  ipAddress: string | null;
  userAgent: string | null;
  via: 'api' | 'oauth';
}

/**
 * One entry in each account the email's person is a member of (any
 * status: an attempt on a deactivated member is worth seeing).
 */
export async function recordSignIn(db: Database, attempt: SignInAttempt): Promise<void> {
  const members = await systemQuery(db, {
    sql: `SELECT p.id AS person_id, u.id AS user_id, u.account_id FROM people p
           JOIN users u ON u.person_id = p.id AND u.deleted_at IS NULL
           WHERE p.email = $1`,
    parameters: [attempt.email],
  });
  if (members.length === 0) return;
  const now = new Date().toISOString();
  await systemTransaction(
    db,
    members.map((member) =>
      insertRow(auditEntries, member.account_id, {
        id: newId(auditEntries.idPrefix),
        action: attempt.succeeded ? 'sign_in.succeeded' : 'sign_in.failed',
        person_id: member.person_id,
        user_id: member.user_id,
        email: attempt.email,
        ip_address: attempt.ipAddress,
        user_agent: attempt.userAgent?.slice(0, 500) ?? null,
        via: attempt.via,
        created_at: now,
        updated_at: now,
      }),
    ),
  );
}
