// Users: the account's team, and its member list. A user with a `person_id` is a person who
// signs in (src/auth/people-auth.ts) acting in this account with the user's role; a user
// without one has not accepted an invitation yet (jobs can be assigned to them all the same).
import { isAccountItself } from '../platform/operations/principal.ts';
import { defineResource, resourceEndpoint } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { ApiError } from '../platform/errors.ts';
import { loadRowOrThrow } from '../platform/operations/load-row.ts';
import { serialize } from '../platform/operations/serialize.ts';
import type { Row } from '../db/database.ts';
import { announceSessionChangeAtCommit } from './session-changes.ts';
import { endMemberGrantsAtCommit } from './oauth-grants.ts';
import { invitationStatements, INVITATION_LIFETIME_HOURS } from './invitations.ts';
import { USER_ROLES } from './roles.ts';
import type { OperationContext } from '../platform/contract.ts';

/**
 * Owners are changed by owners, signed in: granting the owner role, and any change to an owner
 * (role, status, email, removal, an invitation to their user). Not by admins, and not by API
 * keys, which an admin can make with any scope.
 */
function assertMayTouchOwners(ctx: OperationContext, ...roles: (string | undefined)[]): void {
  const caller = ctx.principal;
  // An OAuth token an owner granted is not the owner signed in.
  const ownerSignedIn = caller.role === 'owner' && caller.sessionId !== undefined;
  // The account itself: sign-up making the first owner, invitations being accepted.
  if (roles.includes('owner') && !ownerSignedIn && !isAccountItself(caller)) {
    throw new ApiError('forbidden', 'Only an owner, signed in, can grant the owner role or change an owner');
  }
}

/**
 * An account keeps at least one active owner who can sign in. The advisory lock serialises
 * owner changes per account, so two owners demoting themselves at once cannot both succeed.
 */
async function assertAnotherOwner(ctx: OperationContext, userId: string): Promise<void> {
  const [row] = await ctx.tx.query({
    sql: `WITH serialised AS (SELECT pg_advisory_xact_lock(hashtext('fieldline owners ' || $1)))
          SELECT count(*)::int AS owners FROM users, serialised
          WHERE account_id = $1 AND id <> $2 AND role = 'owner' AND status = 'active'
            AND person_id IS NOT NULL AND deleted_at IS NULL`,
    parameters: [ctx.tx.accountId, userId],
  });
  if (row.owners === 0)
    throw new ApiError('conflict', "This is the account's last active owner: make another member owner first");
}

const dropInvitations = (ctx: OperationContext, userId: string) => ({
  sql: 'DELETE FROM member_invitations WHERE account_id = $1 AND user_id = $2',
  parameters: [ctx.tx.accountId, userId],
});

const isActiveOwner = (row: Row) => row.role === 'owner' && row.status === 'active' && row.person_id !== null;

export const users = defineResource({
  name: 'user',
  collection: 'users',
  idPrefix: 'usr',
  // Everyone sees the team; only owners and admins change it.
  roles: { dispatcher: 'read', office: 'read', technician: 'read', read_only: 'read' },
  description:
    "A member of the account's team. " +
    "Members with a `person_id` sign in and act with their role's scopes (see docs/roles.md).",
  softDelete: true,
  fields: {
    name: field.text({ min: 1, max: 200 }).required().filterable().sortable().searchable(),
    email: field.email().required().unique().filterable().searchable(),
    phone: field.phone(),
    role: field
      .enum(USER_ROLES)
      .default('technician')
      .filterable()
      .describe('What the member may do when signed in: see docs/roles.md.'),
    status: field
      .enum(['active', 'inactive'])
      .default('active')
      .filterable()
      .describe('`inactive` members cannot act in the account.'),
    person_id: field
      .text({ max: 40 })
      .readOnly()
      .unique()
      .filterable()
      .describe('The person who signs in as this member; null until an invitation is accepted.'),
    invited_at: field.datetime().readOnly().describe('When the latest invitation was sent.'),
  },
  hooks: {
    validate: async ({ row, previous, ctx }) => {
      assertMayTouchOwners(ctx, previous?.role, row.role);
      if (previous && isActiveOwner(previous) && !isActiveOwner(row)) await assertAnotherOwner(ctx, row.id);
    },
    // A signed-in member's role or status changed: every node forgets their sessions' scopes now.
    afterUpdate: async ({ row, ctx }) => {
      if (row.person_id) announceSessionChangeAtCommit(ctx, 'person', row.person_id);
      // An inactive member's pending invitation would let someone into an account they cannot act in.
      if (row.status !== 'active') ctx.tx.defer(dropInvitations(ctx, row.id));
      // Apps they let in stop, and do not come back if they are made active again.
      if (row.status !== 'active' && row.person_id) endMemberGrantsAtCommit(ctx, row.person_id);
    },
    beforeDelete: async ({ row, ctx }) => {
      assertMayTouchOwners(ctx, row.role);
      if (isActiveOwner(row)) await assertAnotherOwner(ctx, row.id);
      if (row.person_id) {
        announceSessionChangeAtCommit(ctx, 'person', row.person_id);
        endMemberGrantsAtCommit(ctx, row.person_id);
      }
      ctx.tx.defer(dropInvitations(ctx, row.id));
    },
  },
  actions: {
    invite: {
      summary: 'Invite the member to sign in',
      description:
        `Mails the member's email an invitation (valid ${INVITATION_LIFETIME_HOURS} hours). ` +
        `Whoever holds it accepts it, signed in, ` +
        'with POST /v1/auth/accept-invitation, and acts in the account as this member from then on. ' +
        'Inviting again replaces the previous invitation.',
      event: 'invited',
      apply: async ({ row, ctx }) => {
        assertMayTouchOwners(ctx, row.role);
        if (row.person_id) throw new ApiError('conflict', `User '${row.id}' already signs in`);
        if (row.status !== 'active') throw new ApiError('conflict', `User '${row.id}' is inactive`);
        const account = await ctx.tx.query({
          sql: 'SELECT name FROM accounts WHERE id = $1',
          parameters: [ctx.tx.accountId],
        });
        for (const statement of invitationStatements({
          accountId: ctx.tx.accountId,
          accountName: account[0].name,
          user: row,
          now: ctx.now,
          publicUrl: ctx.runtime.options.publicUrl,
        })) {
          ctx.tx.defer(statement);
        }
        return { invited_at: ctx.now };
      },
    },
  },
  endpoints: [
    resourceEndpoint({
      method: 'get',
      path: '/me',
      operationId: 'getCurrentUser',
      summary: 'Retrieve the member you are',
      description:
        'The member whose session makes this request. ' +
        'API keys and client-credentials tokens act for the account, not a member: 404.',
      respondsWith: 'users',
      run: async ({ ctx }) => {
        const userId = ctx.principal.userId;
        if (!userId)
          throw new ApiError(
            'not_found',
            'This credential acts for the account, not for a member: sign in to have a user',
          );
        return serialize(ctx.registry.get('users'), await loadRowOrThrow(ctx, ctx.registry.get('users'), userId));
      },
    }),
  ],
});
