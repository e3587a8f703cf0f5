// GET /v1/customer/me: who the signed-in customer is to the business, and who the business is
// to them (what the hosted pages show in their header).
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { loadBranding } from '../delivery/branding.ts';
import { asCustomer, customerIdOf } from './customer-context.ts';
import { CUSTOMER_TAG } from './customer-views.ts';
import { portalSegment } from './portal-address.ts';

const Profile = z.object({
  object: z.literal('customer_profile'),
  customer: z.object({
    id: z.string(),
    name: z.string(),
    company: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    address: z.unknown().nullable(),
  }),
  business: z.object({
    account_id: z.string(),
    portal: z.string().describe("The segment of the customer pages' address, `/c/{portal}`: a slug or the account id."),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    time_zone: z.string().describe('Times are shown in it.'),
  }),
  session_expires_at: z.string().nullable(),
  online_payments: z
    .boolean()
    .describe('Whether invoices can be paid by card here (`POST /v1/customer/invoices/{id}/checkout`).'),
});

export const customerProfileOperation = defineOperation({
  method: 'get',
  path: '/v1/customer/me',
  operationId: 'getCustomerProfile',
  tag: CUSTOMER_TAG,
  scope: null,
  authentication: 'customer',
  bucket: 'read',
  summary: 'Who the signed-in customer is',
  response: Profile,
  async handle(call) {
    const data = await asCustomer(call, async (ctx) => {
      const [customer] = await ctx.tx.query({
        sql: 'SELECT id, name, company, email, phone, address FROM customers WHERE account_id = $1 AND id = $2',
        parameters: [ctx.tx.accountId, customerIdOf(ctx)],
      });
      const [session] = await ctx.tx.query<{ expires_at: string }>({
        sql: 'SELECT expires_at FROM customer_sessions WHERE account_id = $1 AND id = $2',
        parameters: [ctx.tx.accountId, ctx.principal.customerSessionId],
      });
      const branding = await loadBranding(ctx.tx);
      const stripe = await ctx.tx.query({
        sql: 'SELECT 1 FROM stripe_connections WHERE account_id = $1',
        parameters: [ctx.tx.accountId],
      });
      return {
        object: 'customer_profile' as const,
        customer,
        business: {
          account_id: ctx.tx.accountId,
          portal: await portalSegment(ctx.tx),
          name: branding.business_name ?? branding.account_name,
          email: branding.email,
          phone: branding.phone,
          time_zone: branding.time_zone,
        },
        session_expires_at: session ? new Date(session.expires_at).toISOString() : null,
        online_payments: stripe.length > 0,
      };
    });
    return { status: 200, body: { data } };
  },
});
