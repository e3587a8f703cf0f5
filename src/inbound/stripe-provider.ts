// Stripe: `Stripe-Signature` verified by the stripe package (5 minute tolerance). Payments
// and refunds are matched to our invoices through `metadata.fieldline_invoice_id`, which the
// integration sets on the PaymentIntent or Stripe invoice, and to our payments through their
// `reference` (the PaymentIntent id).
import Stripe from 'stripe';
import { selectRow } from '../platform/operations/row-statements.ts';
import type { OperationContext } from '../platform/operations/operation-context.ts';
import { InboundVerificationError, ignored, type InboundOutcome, type InboundProvider, type VerifiedInbound } from './inbound-provider.ts';

export const STRIPE_TOLERANCE_SECONDS = 300;
export const INVOICE_METADATA_KEY = 'fieldline_invoice_id';

async function paymentWithReference(ctx: OperationContext, reference: string) {
  const [payment] = await ctx.tx.query({
    sql: 'SELECT id, status FROM payments WHERE account_id = $1 AND reference = $2 ORDER BY created_at LIMIT 1',
    parameters: [ctx.tx.accountId, reference],
  });
  return payment as { id: string; status: string } | undefined;
}

/** Records a card payment against our invoice once per Stripe payment, however many events report it. */
async function recordPayment(ctx: OperationContext, invoiceId: unknown, reference: string, amount: number, currency: string): Promise<InboundOutcome> {
  if (typeof invoiceId !== 'string' || !invoiceId) return ignored(`no metadata.${INVOICE_METADATA_KEY}: not a Fieldline invoice`);
  // The invoice's lock orders concurrent events for the same payment (payment_intent.succeeded
  // and invoice.paid arrive together), so the reference check below cannot race.
  const invoices = ctx.registry.get('invoices');
  if (invoices.acceptsId(invoiceId)) await ctx.tx.query(selectRow(invoices, ctx.tx.accountId, invoiceId, { lock: true }));
  const existing = await paymentWithReference(ctx, reference);
  if (existing) return ignored(`payment ${reference} is already recorded as ${existing.id}`);
  const payment = await ctx.create('payments', { amount, currency: currency.toUpperCase(), method: 'card', invoice_id: invoiceId, reference });
  return { outcome: 'applied', detail: `recorded payment ${payment.id} on ${invoiceId}`, objects: [payment.id, invoiceId] };
}

const HANDLERS: Record<string, (ctx: OperationContext, object: any) => Promise<InboundOutcome>> = {
  'payment_intent.succeeded': (ctx, intent) =>
    recordPayment(ctx, intent.metadata?.[INVOICE_METADATA_KEY], intent.id, intent.amount_received ?? intent.amount, intent.currency),
  'invoice.paid': (ctx, invoice) => {
    const intent = typeof invoice.payment_intent === 'string' ? invoice.payment_intent : invoice.payment_intent?.id;
    return recordPayment(ctx, invoice.metadata?.[INVOICE_METADATA_KEY], intent ?? invoice.id, invoice.amount_paid, invoice.currency);
  },
  'charge.refunded': async (ctx, charge) => {
    const reference = (typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id) ?? charge.id;
    const payment = await paymentWithReference(ctx, reference);
    if (!payment) return ignored(`no payment has the reference ${reference}`);
    if (payment.status === 'refunded') return ignored(`${payment.id} is already refunded`);
    if (charge.refunded !== true) return ignored(`partial refund (${charge.amount_refunded} of ${charge.amount}): payments record full refunds only`);
    await ctx.runAction('payments', payment.id, 'refund', { reason: `Refunded in Stripe (${charge.id})` });
    return { outcome: 'applied', detail: `refunded ${payment.id}`, objects: [payment.id] };
  },
};

export const stripeProvider: InboundProvider = {
  name: 'stripe',
  description: `Stripe events: \`payment_intent.succeeded\` and \`invoice.paid\` record a card payment on the invoice named by \`metadata.${INVOICE_METADATA_KEY}\` (once per PaymentIntent); \`charge.refunded\` (full refunds) refunds the payment whose reference is the PaymentIntent. Other event types are logged and ignored.`,
  secretDescription: 'The endpoint\'s signing secret from the Stripe dashboard (`whsec_...`).',
  secretProblem: (secret) => (secret.startsWith('whsec_') ? null : 'a Stripe signing secret starts with whsec_'),
  verify(rawBody, headers, secret): VerifiedInbound {
    const signature = headers.get('stripe-signature');
    if (!signature) throw new InboundVerificationError('no Stripe-Signature header');
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(rawBody, signature, secret, STRIPE_TOLERANCE_SECONDS);
    } catch (error) {
      throw new InboundVerificationError((error as Error).message);
    }
    return { id: event.id, type: event.type, payload: event };
  },
  async apply(ctx, event) {
    const handle = HANDLERS[event.type];
    if (!handle) return ignored(`${event.type} is not an event Fieldline acts on`);
    return handle(ctx, event.payload.data?.object ?? {});
  },
};
