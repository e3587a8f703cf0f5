// Stripe: `Stripe-Signature` verified by the stripe package (5 minute tolerance). Payments
// and refunds are matched to our invoices through `metadata.fieldline_invoice_id`, which the
// integration sets on the PaymentIntent or Stripe invoice, and to our payments through their
// `reference` (the PaymentIntent id), so each Stripe payment is recorded once whichever events
// report it. Events that can never apply are `ignored` (a 2xx), so Stripe does not retry them
// for days; only what may apply later (a draft invoice, a refund before its payment) is a 422.
import type Stripe from 'stripe';
import { z } from 'zod';
import { validationFailed } from '../platform/errors.ts';
import { zodIssuesToFieldErrors } from '../platform/operations/write-input.ts';
import { selectRow } from '../platform/operations/row-statements.ts';
import {
  InboundVerificationError,
  ignored,
  type InboundOutcome,
  type InboundProvider,
  type VerifiedInbound,
} from './inbound-provider.ts';
import type { OperationContext } from '../platform/contract.ts';
import { lazyRequire } from '../platform/lazy-require.ts';

const stripeSdk = lazyRequire<typeof Stripe>('stripe');

export const STRIPE_TOLERANCE_SECONDS = 300;
export const INVOICE_METADATA_KEY = 'fieldline_invoice_id';

const Id = z.string().min(1).max(255);
/** An expandable reference: the id, or the object carrying it. */
const IdOrObject = z
  .union([Id, z.object({ id: Id })])
  .nullish()
  .transform((value) => (typeof value === 'string' ? value : (value?.id ?? null)));
const Metadata = z.record(z.string(), z.string()).nullish();
const Amount = z.int().min(0);

const PaymentIntent = z.object({
  id: Id,
  amount: Amount,
  amount_received: Amount.optional(),
  currency: z.string().length(3),
  metadata: Metadata,
});
const Invoice = z.object({
  id: Id,
  amount_paid: Amount,
  currency: z.string().length(3),
  metadata: Metadata,
  // API versions before 2025-03 name the PaymentIntent here; later ones list it under payments.
  payment_intent: IdOrObject.optional(),
  payments: z
    .object({ data: z.array(z.object({ payment: z.object({ payment_intent: IdOrObject.optional() }) })) })
    .nullish(),
});
const Charge = z.object({
  id: Id,
  amount: Amount,
  amount_refunded: Amount,
  refunded: z.boolean(),
  payment_intent: IdOrObject.optional(),
  metadata: Metadata,
});

function parse<T>(schema: z.ZodType<T>, object: unknown): T {
  const parsed = schema.safeParse(object);
  if (!parsed.success) throw validationFailed(zodIssuesToFieldErrors(parsed.error.issues, 'data.object'));
  return parsed.data;
}

async function paymentWithReference(ctx: OperationContext, reference: string) {
  const [payment] = await ctx.tx.query<{ id: string; status: string }>({
    sql: 'SELECT id, status FROM payments WHERE account_id = $1 AND reference = $2 ORDER BY created_at LIMIT 1',
    parameters: [ctx.tx.accountId, reference],
  });
  return payment;
}

/** Records a card payment against our invoice once per Stripe payment, however many events report it. */
async function recordPayment(
  ctx: OperationContext,
  invoiceId: string | undefined,
  reference: string,
  amount: number,
  currency: string,
): Promise<InboundOutcome> {
  if (!invoiceId) return ignored(`no metadata.${INVOICE_METADATA_KEY}: not a Fieldline invoice`);
  if (amount === 0) return ignored('nothing was paid (amount 0)');
  // The invoice's lock orders concurrent events for the same payment (payment_intent.succeeded
  // and invoice.paid arrive together), so the reference check below cannot race.
  const invoices = ctx.registry.get('invoices');
  const [invoice] = invoices.acceptsId(invoiceId)
    ? await ctx.tx.query(selectRow(invoices, ctx.tx.accountId, invoiceId, { lock: true }))
    : [];
  if (!invoice) return ignored(`metadata.${INVOICE_METADATA_KEY} names no invoice of this account: '${invoiceId}'`);
  const existing = await paymentWithReference(ctx, reference);
  if (existing) return ignored(`payment ${reference} is already recorded as ${existing.id}`);
  if (invoice.status === 'paid' || invoice.status === 'void')
    return ignored(`${invoiceId} is ${invoice.status}: nothing to record`);
  const payment = await ctx.create('payments', {
    amount,
    currency: currency.toUpperCase(),
    method: 'card',
    invoice_id: invoiceId,
    reference,
  });
  return {
    outcome: 'applied',
    detail: `recorded payment ${payment.id} on ${invoiceId}`,
    objects: [payment.id, invoiceId],
  };
}

const HANDLERS: Record<string, (ctx: OperationContext, object: unknown) => Promise<InboundOutcome>> = {
  'payment_intent.succeeded': (ctx, object) => {
    const intent = parse(PaymentIntent, object);
    return recordPayment(
      ctx,
      intent.metadata?.[INVOICE_METADATA_KEY],
      intent.id,
      intent.amount_received ?? intent.amount,
      intent.currency,
    );
  },
  'invoice.paid': (ctx, object) => {
    const invoice = parse(Invoice, object);
    const intent = invoice.payment_intent ?? invoice.payments?.data.map((p) => p.payment.payment_intent).find(Boolean);
    return recordPayment(
      ctx,
      invoice.metadata?.[INVOICE_METADATA_KEY],
      intent ?? invoice.id,
      invoice.amount_paid,
      invoice.currency,
    );
  },
  'charge.refunded': async (ctx, object) => {
    const charge = parse(Charge, object);
    const reference = charge.payment_intent ?? charge.id;
    const payment = await paymentWithReference(ctx, reference);
    if (!payment) {
      // Ours but not recorded yet (its payment event is still on its way): Stripe retries this one.
      if (charge.metadata?.[INVOICE_METADATA_KEY])
        throw validationFailed([
          { path: 'data.object.payment_intent', message: `no payment with the reference ${reference} is recorded yet` },
        ]);
      return ignored(`no payment has the reference ${reference}`);
    }
    if (payment.status === 'refunded') return ignored(`${payment.id} is already refunded`);
    if (!charge.refunded)
      return ignored(
        `partial refund (${charge.amount_refunded} of ${charge.amount}): payments record full refunds only`,
      );
    await ctx.runAction('payments', payment.id, 'refund', { reason: `Refunded in Stripe (${charge.id})` });
    return { outcome: 'applied', detail: `refunded ${payment.id}`, objects: [payment.id] };
  },
};

export const stripeProvider: InboundProvider = {
  name: 'stripe',
  description:
    `Stripe events: \`payment_intent.succeeded\` and \`invoice.paid\` record a card payment on the invoice ` +
    `named by \`metadata.${INVOICE_METADATA_KEY}\` (once per PaymentIntent); ` +
    `\`charge.refunded\` (full refunds) refunds the payment whose reference is the PaymentIntent. ` +
    `Other event types are logged and ignored.`,
  secretDescription: "The endpoint's signing secret from the Stripe dashboard (`whsec_...`).",
  secretProblem: (secret) =>
    /^whsec_[A-Za-z0-9+/=_-]{24,}$/.test(secret)
      ? null
      : 'a Stripe signing secret is whsec_ followed by at least 24 characters',
  verify(rawBody, headers, secret): VerifiedInbound {
    const signature = headers.get('stripe-signature');
    if (!signature) throw new InboundVerificationError('no Stripe-Signature header');
    let event: Stripe.Event;
    try {
      event = stripeSdk().webhooks.constructEvent(rawBody, signature, secret, STRIPE_TOLERANCE_SECONDS);
    } catch (error) {
      throw new InboundVerificationError((error as Error).message);
    }
    return { id: event.id, type: event.type, payload: event };
  },
  async apply(ctx, event) {
    const handle = HANDLERS[event.type];
    if (!handle) return ignored(`${event.type} is not an event Fieldline acts on`);
    return handle(ctx, event.payload.data?.object);
  },
};
