// Staff's say over a customer's portal access: invite them (a mail with a sign-in code and link;
// this also lifts a revocation) or revoke it (every session of theirs ends at once, and no code
// is sent to them again until they are invited).
import { z } from 'zod';
import { validationFailed } from '../platform/errors.ts';
import { idOfSchema } from '../platform/resource/fields.ts';
import { loadReferencedOrThrow } from '../platform/operations/load-row.ts';
import type { ActionSpec, OperationContext, ResourceDefinition } from '../platform/contract.ts';
import { endCustomerSessions } from './customer-sessions.ts';
import { issueSignInCode } from './sign-in-codes.ts';
import { loadBranding } from '../delivery/branding.ts';

function setAccess(ctx: OperationContext, customerId: string, status: 'invited' | 'revoked') {
  ctx.tx.defer({
    sql: `INSERT INTO customer_portal_access (account_id, customer_id, status, changed_at) VALUES ($1, $2, $3, $4)
          ON CONFLICT (account_id, customer_id)
          DO UPDATE SET status = excluded.status, changed_at = excluded.changed_at`,
    parameters: [ctx.tx.accountId, customerId, status, ctx.now],
  });
}

const invite: ActionSpec<{ contact_id?: string }> = {
  summary: 'Invite the customer to the customer portal',
  description:
    "Mails a sign-in code and link to the customer's email, or to the contact's given: they sign in at " +
    '`/c/{slug}` (or through `POST /v1/customer/auth/verify`). Lifts a revoked access. No address: 422.',
  operationId: 'inviteCustomerToPortal',
  feature: 'customer_portal',
  event: 'portal_invited',
  input: z.strictObject({
    contact_id: idOfSchema('contacts').optional().describe('A contact at the customer to invite instead.'),
  }),
  apply: async ({ row, input, ctx }) => {
    let email: string | null = row.email;
    if (input.contact_id) {
      const contact = await loadReferencedOrThrow(ctx, ctx.registry.get('contacts'), input.contact_id, 'contact_id');
      if (contact.customer_id !== row.id)
        throw validationFailed([{ path: 'contact_id', message: `is not a contact of customer '${row.id}'` }]);
      email = contact.email;
    }
    if (!email)
      throw validationFailed([
        {
          path: input.contact_id ? 'contact_id' : 'email',
          message: 'There is no email address to send the invitation to',
        },
      ]);
    setAccess(ctx, row.id, 'invited');
    const branding = await loadBranding(ctx.tx);
    const business = branding.business_name ?? branding.account_name;
    const address = email.toLowerCase();
    await issueSignInCode(
      ctx,
      { customer_id: row.id, contact_id: input.contact_id ?? null },
      { email: address },
      address,
      `${business} invites you to see your visits, quotes and invoices online, and to pay them.\n\n`,
    );
    return {};
  },
};

const revoke: ActionSpec = {
  summary: "Revoke the customer's portal access",
  description: 'Their sessions end at once, on every server, and they get no sign-in codes until invited again.',
  operationId: 'revokeCustomerPortalAccess',
  event: 'portal_access_revoked',
  apply: ({ row, ctx }) => {
    setAccess(ctx, row.id, 'revoked');
    endCustomerSessions(ctx, { customerId: row.id });
    return {};
  },
};

/** The customers resource, with its portal actions. */
export const withPortalAccess = (resource: ResourceDefinition): ResourceDefinition => ({
  ...resource,
  actions: { ...resource.actions, 'portal-invite': invite, 'revoke-portal-access': revoke },
});
