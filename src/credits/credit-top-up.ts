// Self-service top-ups: POST /v1/billing/credits/top-up makes a Stripe PaymentIntent on the
// platform's own Stripe account (FIELDLINE_CREDITS_STRIPE_SECRET_KEY, through the official SDK at
// FIELDLINE_STRIPE_URL when set), which the owner's browser confirms with Stripe.js. Nothing is
// credited here: Stripe's signed `payment_intent.succeeded` (credit-top-up-webhook.ts) does that,
// once per PaymentIntent.
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError } from '../platform/errors.ts';
import { paymentProblem, stripeClient } from '../online-payments/stripe-api.ts';
import { actorOf, creditSettings, TOP_UP_PATH } from './credit-costs.ts';

export const WRITE_CREDITS_SCOPE = 'write:credits';
/** PaymentIntent metadata naming what it pays for; the webhook credits only what carries it. */
export const TOP_UP_METADATA = {
  purpose: 'fieldline_purpose',
  account: 'fieldline_account_id',
  credits: 'fieldline_credits',
};
export const TOP_UP_PURPOSE = 'credit_top_up';
/** At most this many credits in one top-up (a typo of a few zeros should not reach a card). */
export const MAX_TOP_UP = 1_000_000;

const TopUpInput = z.strictObject({
  amount: z.int().min(1).max(MAX_TOP_UP).describe('How many credits to buy.'),
});

const TopUp = z.object({
  object: z.literal('credit_top_up'),
  amount: z.int().describe('Credits it buys, credited when Stripe reports the payment succeeded.'),
  price: z.object({
    amount: z.int().describe("What it costs, in the currency's minor unit."),
    currency: z.string().describe('Lowercase ISO 4217, as Stripe writes it.'),
  }),
  payment_intent: z.object({
    id: z.string(),
    client_secret: z.string().describe('Confirms the payment in the browser (Stripe.js); do not log or store it.'),
    status: z.string(),
  }),
});

export const creditTopUpOperation = defineOperation({
  method: 'post',
  path: TOP_UP_PATH,
  operationId: 'topUpCredits',
  tag: 'Credits',
  scope: WRITE_CREDITS_SCOPE,
  bucket: 'write',
  summary: 'Buy credits (a Stripe PaymentIntent)',
  description:
    'Creates a Stripe PaymentIntent for `amount` credits at the server’s price per credit; confirm it with ' +
    'Stripe.js and the `client_secret`. The credits are added once Stripe reports the payment succeeded, once per ' +
    'PaymentIntent however often Stripe reports it. Owners and admins (`write:credits`). Without a Stripe ' +
    'account configured for top-ups: 409 `payments_not_configured`.',
  body: TopUpInput,
  response: TopUp,
  successStatus: 201,
  errors: [409, 422, 503],
  async handle({ runtime, principal, body, requestId, headers }) {
    const settings = creditSettings(runtime.options);
    if (!settings.stripe)
      throw new ApiError(
        'payments_not_configured',
        'This server takes no credit top-ups (no Stripe account is configured for them); ask its operator for credits.',
      );
    const price = body.amount * settings.unitPrice;
    const stripe = stripeClient(settings.stripe.secretKey, runtime.options.stripe);
    // A retried request (same Idempotency-Key) answers the same PaymentIntent.
    const idempotencyKey = `credit-top-up:${principal.accountId}:${headers.get('idempotency-key') ?? requestId}`;
    let intent;
    try {
      intent = await stripe.paymentIntents.create(
        {
          amount: price,
          currency: settings.currency,
          description: `${body.amount} Fieldline credits`,
          automatic_payment_methods: { enabled: true },
          metadata: {
            [TOP_UP_METADATA.purpose]: TOP_UP_PURPOSE,
            [TOP_UP_METADATA.account]: principal.accountId,
            [TOP_UP_METADATA.credits]: String(body.amount),
            fieldline_actor: actorOf(principal),
          },
        },
        { idempotencyKey },
      );
    } catch (error) {
      const problem = paymentProblem(error, settings.stripe.secretKey);
      // Stripe refusing the platform's key is the server's fault, not something the account can fix.
      if (problem instanceof ApiError && problem.code === 'payments_not_configured')
        throw new ApiError('service_unavailable', "Stripe refused the server's top-up key; tell its operator");
      throw problem;
    }
    const data: z.infer<typeof TopUp> = {
      object: 'credit_top_up',
      amount: body.amount,
      price: { amount: price, currency: settings.currency },
      payment_intent: { id: intent.id, client_secret: intent.client_secret ?? '', status: intent.status },
    };
    return { status: 201, body: { data } };
  },
});
