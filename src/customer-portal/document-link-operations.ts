// One document for a customer who will not sign in: the signed link of its mail
// (`/c/documents/{token}`, valid as long as the PDF link) shows the invoice, estimate or quote,
// and lets its holder pay it or accept or decline it, as the document's customer. A forged,
// altered or expired token, or a document no longer theirs to see (a draft, deleted), is a 404.
import { z } from 'zod';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError } from '../platform/errors.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import { accountPrincipal } from '../platform/operations/principal.ts';
import { TOKEN_PATTERN } from '../platform/signed-tokens.ts';
import { selectRow } from '../platform/operations/row-statements.ts';
import type { OperationCall } from '../platform/api/operation.ts';
import type { OperationContext } from '../platform/contract.ts';
import { documentOfToken } from '../delivery/documents/document-links.ts';
import { loadBranding } from '../delivery/branding.ts';
import { PayInvoiceInput } from '../online-payments/invoice-payments.ts';
import { CUSTOMER_TAG, loadCustomerRow, presentToCustomer, type CustomerView } from './customer-views.ts';
import { CUSTOMER_VIEWS } from './customer-collections.ts';
import { CheckoutSession, createCheckout, PAYMENT_ERRORS } from './customer-payments.ts';

const VIEWS: Record<string, CustomerView> = {
  invoices: CUSTOMER_VIEWS.invoices,
  estimates: CUSTOMER_VIEWS.estimates,
  quotes: CUSTOMER_VIEWS.quotes,
};
const NOT_VALID = 'This document link is not valid (or no longer)';

/** Works as the document's customer, on that document only. */
async function asHolder<T>(
  call: OperationCall<any, any>,
  work: (ctx: OperationContext, view: CustomerView, id: string) => Promise<T>,
): Promise<T> {
  const target = documentOfToken(call.runtime, call.params.token);
  const view = target && VIEWS[target.collection];
  if (!target || !view) throw new ApiError('not_found', NOT_VALID);
  return withTenantTransaction(call.runtime.db, target.accountId, async (tx) => {
    const resource = call.runtime.registry.get(view.collection);
    const [owner] = await tx.query(selectRow(resource, target.accountId, target.id));
    if (!owner) throw new ApiError('not_found', NOT_VALID);
    const principal = {
      ...accountPrincipal(target.accountId),
      customerId: owner.customer_id,
      clientIp: call.clientIp ?? undefined,
    };
    return work(createOperationContext(tx, principal, call.runtime, call.requestId), view, target.id);
  });
}

const Token = { token: { pattern: TOKEN_PATTERN } };
const common = { tag: CUSTOMER_TAG, scope: null, authentication: 'none' as const, params: Token };

const getDocument = defineOperation({
  ...common,
  method: 'get',
  path: '/v1/customer/documents/{token}',
  operationId: 'getLinkedCustomerDocument',
  bucket: 'read',
  summary: 'Open the document a mailed link names',
  description:
    "The invoice, estimate or quote as its customer sees it, the business's name, whether it can be paid by card, " +
    'and its PDF. For anyone holding the link, as long as the link is valid.',
  response: z.object({
    object: z.literal('customer_document'),
    document: z.record(z.string(), z.unknown()).describe('As `GET /v1/customer/{invoices|estimates|quotes}/{id}`.'),
    business: z.object({ name: z.string(), email: z.string().nullable(), phone: z.string().nullable() }),
    online_payments: z.boolean(),
    pdf_url: z.string(),
  }),
  async handle(call) {
    const data = await asHolder(call, async (ctx, view, id) => {
      const [document] = await presentToCustomer(ctx, view, [await loadCustomerRow(ctx, view, id)]);
      const branding = await loadBranding(ctx.tx);
      const stripe = await ctx.tx.query({
        sql: 'SELECT 1 FROM stripe_connections WHERE account_id = $1',
        parameters: [ctx.tx.accountId],
      });
      return {
        object: 'customer_document' as const,
        document,
        business: {
          name: branding.business_name ?? branding.account_name,
          email: branding.email,
          phone: branding.phone,
        },
        online_payments: stripe.length > 0,
        pdf_url: `/v1/documents/${call.params.token}`,
      };
    });
    return { status: 200, body: { data }, headers: [['Cache-Control', 'private, no-store']] };
  },
});

const decide = (action: 'accept' | 'decline', body: z.ZodType, summary: string) =>
  defineOperation({
    ...common,
    method: 'post',
    path: `/v1/customer/documents/{token}/${action}`,
    operationId: `${action}LinkedCustomerDocument`,
    bucket: 'write',
    summary,
    description:
      'An estimate or quote the link names, as `POST /v1/customer/{estimates|quotes}/{id}/' +
      `${action}\` (409 when it is not awaiting an answer; an invoice's link: 404).`,
    body,
    response: z.record(z.string(), z.unknown()),
    async handle(call) {
      const data = await asHolder(call, async (ctx, view, id) => {
        if (view.collection === 'invoices') throw new ApiError('not_found', 'An invoice is paid, not accepted');
        await loadCustomerRow(ctx, view, id, { lock: true });
        return (await presentToCustomer(ctx, view, [await ctx.runAction(view.collection, id, action, call.body)]))[0];
      });
      return { status: 200, body: { data } };
    },
  });

const checkout = defineOperation({
  ...common,
  method: 'post',
  path: '/v1/customer/documents/{token}/checkout',
  operationId: 'checkoutLinkedCustomerDocument',
  bucket: 'write',
  summary: 'Pay the invoice a mailed link names, on Stripe’s payment page',
  description: `As \`POST /v1/customer/invoices/{id}/checkout\`. ${PAYMENT_ERRORS}`,
  body: PayInvoiceInput,
  response: CheckoutSession,
  async handle(call) {
    const data = await asHolder(call, async (ctx, view, id) => {
      if (view.collection !== 'invoices') throw new ApiError('not_found', 'Only an invoice is paid');
      return createCheckout(ctx, id, call.body.amount, `/c/documents/${call.params.token}`);
    });
    return { status: 200, body: { data } };
  },
});

export const documentLinkOperations = [
  getDocument,
  decide('accept', z.strictObject({ signed_name: z.string().trim().min(2).max(200) }), 'Accept the linked proposal'),
  decide('decline', z.strictObject({ reason: z.string().trim().max(1000).optional() }), 'Decline the linked proposal'),
  checkout,
];
