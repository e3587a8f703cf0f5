// Invitations: a user (member) without a person gets a one-time token by mail; a signed-in
// person who presents it becomes that member. Only the token's SHA-256 is stored, and the
// token is found by its hash (it has 256 bits of randomness, so no timing attack applies to the
// lookup). Accepting is one transaction: the person is linked, the invitation is used up.
import { createHash, randomBytes } from 'node:crypto';
import type { SqlStatement } from '../db/inline-parameters.ts';
import type { Row } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { queueMailStatement } from '../mail/mail-outbox.ts';
import { ApiError } from '../platform/errors.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import { accountPrincipal } from '../platform/operations/principal.ts';
import { applyChanges } from '../platform/operations/update.ts';
import { lockRowOrThrow } from '../platform/operations/load-row.ts';
import { announceSessionChangeAtCommit } from './session-changes.ts';
import type { Runtime } from '../platform/contract.ts';

export const INVITATION_LIFETIME_HOURS = 72;

const tokenHash = (token: string) => `\\x${createHash('sha256').update(token).digest('hex')}`;

/** The statements that (re)invite `user`: a fresh token replacing any earlier one, and its mail. */
export function invitationStatements(args: {
  accountId: string;
  accountName: string;
  user: Row;
  now: string;
  publicUrl: string;
}): SqlStatement[] {
  const token = `inv_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(Date.parse(args.now) + INVITATION_LIFETIME_HOURS * 3_600_000).toISOString();
  return [
    {
      sql: 'DELETE FROM member_invitations WHERE account_id = $1 AND user_id = $2',
      parameters: [args.accountId, args.user.id],
    },
    {
      sql:
        'INSERT INTO member_invitations (token_hash, account_id, user_id, expires_at, created_at) ' +
        'VALUES ($1, $2, $3, $4, $5)',
      parameters: [tokenHash(token), args.accountId, args.user.id, expiresAt, args.now],
    },
    queueMailStatement(
      {
        accountId: args.accountId,
        to: [args.user.email],
        subject: `You are invited to ${args.accountName} on Fieldline`,
        text:
          `${args.user.name}, you are invited to join ${args.accountName} on Fieldline as ${args.user.role}.\n\n` +
          `Sign up or sign in at ${args.publicUrl}/portal, then accept with this token ` +
          `(valid ${INVITATION_LIFETIME_HOURS} hours):\n\n${token}\n\n` +
          `Accept it in the developer portal: ${args.publicUrl}/portal/accept-invitation?token=${token}\n` +
          `(or POST ${args.publicUrl}/v1/auth/accept-invitation {"token": "..."})\n`,
      },
      args.now,
    ),
  ];
}

/** Makes `personId` the member an invitation token was made for; answers the account and user ids. */
export async function acceptInvitation(
  runtime: Runtime,
  personId: string,
  token: string,
): Promise<{ accountId: string; userId: string }> {
  const [invitation] = await systemQuery(runtime.db, {
    sql: 'SELECT account_id, user_id, expires_at FROM member_invitations WHERE token_hash = $1',
    parameters: [tokenHash(token)],
  });
  if (!invitation || Date.parse(invitation.expires_at) <= Date.now()) {
    throw new ApiError('not_found', 'No such invitation: it is unknown, used or expired. Ask for a new one.');
  }
  const users = runtime.registry.get('users');
  return withTenantTransaction(runtime.db, invitation.account_id, async (tx) => {
    const ctx = createOperationContext(tx, accountPrincipal(invitation.account_id), runtime);
    const user = await lockRowOrThrow(ctx, users, invitation.user_id);
    if (user.person_id) throw new ApiError('conflict', 'This invitation was already accepted');
    if (user.status !== 'active')
      throw new ApiError('not_found', 'No such invitation: the member it was for is inactive');
    const [already] = await tx.query({
      sql: 'SELECT id FROM users WHERE account_id = $1 AND person_id = $2 AND deleted_at IS NULL',
      parameters: [tx.accountId, personId],
    });
    if (already) throw new ApiError('conflict', `You are already a member of this account (user '${already.id}')`);
    const used = await tx.query({
      sql: 'DELETE FROM member_invitations WHERE account_id = $1 AND token_hash = $2 RETURNING user_id',
      parameters: [tx.accountId, tokenHash(token)],
    });
    if (used.length === 0) throw new ApiError('not_found', 'No such invitation: it was used meanwhile');
    applyChanges(ctx, users, user, { person_id: personId }, 'user.updated');
    announceSessionChangeAtCommit(ctx, 'person', personId);
    return { accountId: tx.accountId, userId: user.id };
  });
}
