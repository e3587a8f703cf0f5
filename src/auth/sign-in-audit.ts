// Sign-ins in the audit trail: every attempt with a password for a person who is a member of the
// account, successful or not, with where it came from, as `sign_in.succeeded` or `sign_in.failed`
// (GET /v1/audit-log; GET /v1/audit-entries lists only these). Attempts for an email that is no
// one's have no account to belong to: they are counted by the sign-in throttle and logged, not listed.
import type { Database } from '../db/database.ts';
import { systemQuery, systemTransaction } from '../db/system-query.ts';
import { auditStatement } from '../audit/record-audit.ts';

export const SIGN_IN_ACTIONS = ['sign_in.succeeded', 'sign_in.failed'] as const;

export interface SignInAttempt {
  email: string;
  succeeded: boolean;
  ipAddress: string | null;
  userAgent: string | null;
  via: 'api' | 'oauth';
}

/**
 * One entry in each account the email's person is a member of (any status: an attempt on a
 * deactivated member is worth seeing). The actor is the member whose email was given.
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
      auditStatement(member.account_id, {
        action: attempt.succeeded ? 'sign_in.succeeded' : 'sign_in.failed',
        actor: { type: 'member', id: member.user_id, on_behalf_of: null },
        resourceType: 'user',
        resourceId: member.user_id,
        ip: attempt.ipAddress,
        userAgent: attempt.userAgent,
        changes: { email: attempt.email, via: attempt.via, person_id: member.person_id },
        occurredAt: now,
      }),
    ),
  );
}
