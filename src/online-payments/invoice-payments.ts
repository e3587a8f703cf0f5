// Paying an invoice by card: a Stripe PaymentIntent for what is owed (or part of it), which the
// customer's browser confirms with Stripe.js and the publishable key. Nothing is recorded here:
// the payment is, once Stripe reports `payment_intent.succeeded` to an inbound source
// (src/inbound/stripe-provider.ts), matched to the invoice by the metadata set below.
import { z } from 'zod';
import { serviceKey } from '../platform/api/service-key.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { loadRowOrThrow } from '../platform/operations/load-row.ts';
import type { OperationContext } from '../platform/contract.ts';
import { INVOICE_METADATA_KEY } from '../inbound/stripe-provider.ts';
import { paymentProblem, stripeClient, type StripeApiSettings } from './stripe-api.ts';
import { loadStripeKeys } from './stripe-connection.ts';

/** Names the account on the PaymentIntent too, for people reading it in the Stripe dashboard. */
export const ACCOUNT_METADATA_KEY = 'fieldline_account_id';

/** Invoices a customer may pay: sent, and not yet paid or voided. */
const PAYABLE_STATES = ['open', 'overdue'];

export const PayInvoiceInput = z.strictObject({
  amount: z
    .int()
    .optional()
    .describe("What to pay, in the invoice currency's minor unit: 1 to `amount_due`; default `amount_due`."),
});
export type PayInvoiceInput = z.infer<typeof PayInvoiceInput>;

export const InvoicePaymentIntent = z.object({
  object: z.literal('payment_intent'),
  id: z.string().describe('The Stripe PaymentIntent (`pi_...`); the payment it makes gets it as `reference`.'),
  client_secret: z
    .string()
    .describe("Confirms the payment in the customer's browser (Stripe.js `confirmPayment`); do not log or store it."),
  amount: z.int(),
  currency: z.string().describe('Lowercase ISO 4217, as Stripe writes it.'),
  status: z.string().describe("Stripe's status: `requires_payment_method` until the customer pays."),
  publishable_key: z.string().describe('The key Stripe.js is loaded with.'),
  invoice_id: z.string(),
});
export type InvoicePaymentIntent = z.infer<typeof InvoicePaymentIntent>;

export class InvoicePayments {
  constructor(private readonly api?: StripeApiSettings) {}

  /**
   * A PaymentIntent for `input.amount` (default: all that is due) of an open or overdue invoice.
   * Asked again before anything is paid, it answers the same PaymentIntent: Stripe's idempotency
   * key is made of the invoice, the amount and what was paid so far.
   *
   * The invoice stays locked during the call to Stripe (20 s at most), so what is due cannot
   * change between reading it and asking for it; a payment recorded meanwhile waits for us.
   */
  async payInvoice(
    ctx: OperationContext,
    invoiceId: string,
    input: PayInvoiceInput = {},
  ): Promise<InvoicePaymentIntent> {
    const invoice = await loadRowOrThrow(ctx, ctx.registry.get('invoices'), invoiceId, { lock: true });
    if (!PAYABLE_STATES.includes(invoice.status))
      throw new ApiError(
        'conflict',
        `Invoice ${invoice.id} is ${invoice.status}; only open or overdue invoices can be paid online`,
      );
    const amountDue: number = invoice.amount_due;
    const amount = input.amount ?? amountDue;
    if (amount < 1)
      throw validationFailed([{ path: 'amount', message: amountDue < 1 ? 'nothing is due' : 'must be at least 1' }]);
    if (amount > amountDue)
      throw validationFailed([{ path: 'amount', message: `exceeds the amount due (${amountDue})` }]);
    const keys = await loadStripeKeys(ctx.tx, ctx.runtime.secrets);
    if (!keys)
      throw new ApiError(
        'payments_not_configured',
        'Online payment is not set up for this account: connect Stripe at POST /v1/account/stripe',
      );
    const currency = String(invoice.currency).toLowerCase();
    try {
      const intent = await stripeClient(keys.secretKey, this.api).paymentIntents.create(
        {
          amount,
          currency,
          automatic_payment_methods: { enabled: true },
          description: `Invoice ${invoice.id}`,
          metadata: { [INVOICE_METADATA_KEY]: invoice.id, [ACCOUNT_METADATA_KEY]: ctx.tx.accountId },
        },
        { idempotencyKey: `fieldline-${invoice.id}-${amount}-${invoice.amount_paid}` },
      );
      return {
        object: 'payment_intent',
        id: intent.id,
        client_secret: intent.client_secret ?? '',
        amount: intent.amount,
        currency: intent.currency,
        status: intent.status,
        publishable_key: keys.publishableKey,
        invoice_id: invoice.id,
      };
    } catch (error) {
      throw paymentProblem(error, keys.secretKey);
    }
  }
}

/** Card payments of invoices through the account's Stripe account (the customer portal pays with it). */
export const invoicePayments = serviceKey<InvoicePayments>('online invoice payments');
