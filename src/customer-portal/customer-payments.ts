// A customer paying their invoice by card, in the account's Stripe: a Checkout Session (Stripe's
// hosted payment page, which returns them to /c/{account}) for the hosted pages, or a
// PaymentIntent for an app of the business's own that confirms it with Stripe.js. Either way the
// payment is recorded when Stripe reports it to the account's inbound Stripe source, matched by
// the metadata set here, so a payment is counted once however the customer paid.
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import type { Operation } from '../platform/api/operation.ts';
import type { OperationContext } from '../platform/contract.ts';
import { INVOICE_METADATA_KEY } from '../inbound/stripe-provider.ts';
import {
  ACCOUNT_METADATA_KEY,
  InvoicePaymentIntent,
  PayInvoiceInput,
  invoicePayments,
} from '../online-payments/invoice-payments.ts';
import { paymentProblem, stripeClient } from '../online-payments/stripe-api.ts';
import { loadStripeKeys } from '../online-payments/stripe-connection.ts';
import { loadBranding } from '../delivery/branding.ts';
import { asCustomer } from './customer-context.ts';
import { CUSTOMER_TAG, loadCustomerRow } from './customer-views.ts';
import { CUSTOMER_VIEWS } from './customer-collections.ts';
import { portalSegment } from './portal-address.ts';

export const PAYMENT_ERRORS =
  '409 `conflict`: the invoice is paid or void; 409 `payments_not_configured`: the business takes no card ' +
  'payments online (`GET /v1/customer/me` says so as `online_payments`); ' +
  '422 at `amount`: under 1 or over what is due; 503: Stripe could not be reached.';

export const CheckoutSession = z.object({
  object: z.literal('checkout_session'),
  id: z.string().describe('The Stripe Checkout Session (`cs_...`).'),
  url: z.string().describe("Stripe's payment page: send the customer there; it returns them to the customer pages."),
  amount: z.int(),
  currency: z.string(),
  invoice_id: z.string(),
});

/** The invoice's amount to pay now, refused as the API refuses it for a PaymentIntent. */
function amountToPay(invoice: { id: string; status: string; amount_due: number }, asked: number | undefined): number {
  if (!['open', 'overdue'].includes(invoice.status))
    throw new ApiError('conflict', `Invoice ${invoice.id} is ${invoice.status}: there is nothing to pay online`);
  const amount = asked ?? invoice.amount_due;
  if (amount < 1 || amount > invoice.amount_due)
    throw validationFailed([{ path: 'amount', message: `must be from 1 to the amount due (${invoice.amount_due})` }]);
  return amount;
}

/** A Checkout Session for the caller's invoice (404 for another customer's). */
export async function createCheckout(
  ctx: OperationContext,
  invoiceId: string,
  asked: number | undefined,
  returnPath?: string,
) {
  const invoice = await loadCustomerRow(ctx, CUSTOMER_VIEWS.invoices, invoiceId, { lock: true });
  const amount = amountToPay(invoice as never, asked);
  const keys = await loadStripeKeys(ctx.tx, ctx.runtime.secrets);
  if (!keys) throw new ApiError('payments_not_configured', 'This business does not take card payments online');
  const branding = await loadBranding(ctx.tx);
  const pages = `${ctx.runtime.options.publicUrl}${returnPath ?? `/c/${await portalSegment(ctx.tx)}`}`;
  const metadata = { [INVOICE_METADATA_KEY]: invoice.id, [ACCOUNT_METADATA_KEY]: ctx.tx.accountId };
  try {
    const session = await stripeClient(keys.secretKey, ctx.runtime.options.stripe).checkout.sessions.create(
      {
        mode: 'payment',
        client_reference_id: invoice.id,
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: String(invoice.currency).toLowerCase(),
              unit_amount: amount,
              product_data: { name: `Invoice ${invoice.id} from ${branding.business_name ?? branding.account_name}` },
            },
          },
        ],
        payment_intent_data: { description: `Invoice ${invoice.id}`, metadata },
        metadata,
        success_url: `${pages}?paid=${invoice.id}`,
        cancel_url: pages,
      },
      // One session per invoice, amount and what was paid so far: a second click returns to it.
      { idempotencyKey: `fieldline-checkout-${invoice.id}-${amount}-${invoice.amount_paid}` },
    );
    return {
      object: 'checkout_session' as const,
      id: session.id,
      url: session.url!,
      amount,
      currency: String(invoice.currency).toLowerCase(),
      invoice_id: invoice.id,
    };
  } catch (error) {
    throw paymentProblem(error, keys.secretKey);
  }
}

const ids = { id: { pattern: '^inv_' } };

const checkoutOperation = defineOperation({
  method: 'post',
  path: '/v1/customer/invoices/{id}/checkout',
  operationId: 'checkoutCustomerInvoice',
  tag: CUSTOMER_TAG,
  scope: null,
  authentication: 'customer',
  bucket: 'write',
  params: ids,
  summary: 'Pay the invoice on Stripe’s payment page',
  description:
    'A Stripe Checkout Session for `amount` (default: all that is due): send the customer to `url`; Stripe ' +
    'brings them back to the customer pages. The invoice is paid when Stripe reports the payment. ' +
    PAYMENT_ERRORS,
  body: PayInvoiceInput,
  response: CheckoutSession,
  async handle(call) {
    const data = await asCustomer(call, (ctx) => createCheckout(ctx, call.params.id, call.body.amount));
    return { status: 200, body: { data } };
  },
});

const paymentIntentOperation = defineOperation({
  method: 'post',
  path: '/v1/customer/invoices/{id}/pay',
  operationId: 'payCustomerInvoice',
  tag: CUSTOMER_TAG,
  scope: null,
  authentication: 'customer',
  bucket: 'write',
  params: ids,
  summary: 'Start a card payment of the invoice (Stripe.js)',
  description:
    'A Stripe PaymentIntent for `amount` (default: all that is due), to confirm in the browser with Stripe.js, ' +
    'the `publishable_key` and the `client_secret`; asked again before paying, the same one. ' +
    PAYMENT_ERRORS,
  body: PayInvoiceInput,
  response: InvoicePaymentIntent,
  async handle(call) {
    const data = await asCustomer(call, async (ctx) => {
      const invoice = await loadCustomerRow(ctx, CUSTOMER_VIEWS.invoices, call.params.id, { lock: true });
      amountToPay(invoice as never, call.body.amount);
      return ctx.runtime.use(invoicePayments).payInvoice(ctx, invoice.id, call.body);
    });
    return { status: 200, body: { data } };
  },
});

export const customerPaymentOperations: Operation[] = [checkoutOperation, paymentIntentOperation];
