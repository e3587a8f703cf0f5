// POST /v1/billing/credits/stripe-webhook: the platform's Stripe account reports a top-up paid.
// `Stripe-Signature` is verified by the stripe package with FIELDLINE_CREDITS_STRIPE_WEBHOOK_SECRET
// (5 minute tolerance); a `payment_intent.succeeded` carrying our top-up metadata credits the
// account once per PaymentIntent (the ledger's unique reference), however often Stripe delivers it.
import type Stripe from 'stripe';
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError } from '../platform/errors.ts';
import { lazyRequire } from '../platform/lazy-require.ts';
import { accountPrincipal } from '../platform/operations/principal.ts';
import { systemQuery } from '../db/system-query.ts';
import { STRIPE_TOLERANCE_SECONDS } from '../inbound/stripe-provider.ts';
import { creditSettings } from './credit-costs.ts';
import { changeCredits } from './credit-ledger.ts';
import { MAX_TOP_UP, TOP_UP_METADATA, TOP_UP_PURPOSE } from './credit-top-up.ts';

const stripeSdk = lazyRequire<typeof Stripe>('stripe');

const TopUpIntent = z.object({
  id: z.string().min(1).max(255),
  amount_received: z.int().min(0),
  currency: z.string().length(3),
  metadata: z.object({
    [TOP_UP_METADATA.purpose]: z.literal(TOP_UP_PURPOSE),
    [TOP_UP_METADATA.account]: z.string().min(1).max(64),
    [TOP_UP_METADATA.credits]: z.string().regex(/^[1-9][0-9]{0,6}$/),
  }),
});

const Outcome = z.object({
  outcome: z.enum(['credited', 'duplicate', 'ignored']),
  detail: z.string(),
});

const answer = (outcome: z.infer<typeof Outcome>['outcome'], detail: string) => ({
  status: 200,
  body: { data: { outcome, detail } },
});

export const creditTopUpWebhookOperation = defineOperation({
  method: 'post',
  path: '/v1/billing/credits/stripe-webhook',
  operationId: 'receiveCreditTopUpEvent',
  tag: 'Credits',
  scope: null,
  authentication: 'signature',
  bucket: 'write',
  summary: "Receive Stripe's report of a paid top-up",
  description:
    "For the platform's Stripe account, not API clients: the webhook endpoint its dashboard names. Authenticated " +
    'by `Stripe-Signature`. A `payment_intent.succeeded` of a top-up credits its account once per PaymentIntent; ' +
    'other events are acknowledged and ignored.',
  text: { schema: z.object({}).describe("Stripe's event, exactly as signed."), mediaType: 'application/json' },
  response: Outcome,
  sdk: { excluded: 'called by Stripe' },
  async handle(call) {
    const { runtime } = call;
    const secret = creditSettings(runtime.options).stripe?.webhookSecret;
    let event: Stripe.Event;
    try {
      if (!secret) throw new Error('no webhook secret configured');
      event = stripeSdk().webhooks.constructEvent(
        String(call.body),
        call.headers.get('stripe-signature') ?? '',
        secret,
        STRIPE_TOLERANCE_SECONDS,
      );
    } catch {
      await call.refuseCredential();
      throw new ApiError('invalid_signature', 'The Stripe-Signature header does not sign this request');
    }
    if (event.type !== 'payment_intent.succeeded') return answer('ignored', `${event.type} does not credit anything`);
    const parsed = TopUpIntent.safeParse(event.data.object);
    if (!parsed.success) return answer('ignored', 'not a credit top-up of this server');
    const intent = parsed.data;
    const accountId = intent.metadata[TOP_UP_METADATA.account];
    const credits = Number(intent.metadata[TOP_UP_METADATA.credits]);
    const settings = creditSettings(runtime.options);
    // Credits only for what was paid at the price they were sold at.
    if (intent.currency !== settings.currency || intent.amount_received < credits * settings.unitPrice)
      return answer('ignored', `${intent.id} received ${intent.amount_received} ${intent.currency}: not the price`);
    const [known] = await systemQuery(runtime.db, {
      sql: 'SELECT id FROM accounts WHERE id = $1',
      parameters: [accountId],
    });
    if (!known || credits > MAX_TOP_UP) return answer('ignored', `no account ${accountId} to credit`);
    call.attribute(accountPrincipal(accountId));
    const entry = await changeCredits(runtime.db, accountId, {
      amount: credits,
      reason: 'top_up',
      reference: intent.id,
      actor: 'stripe',
      note: `Stripe PaymentIntent ${intent.id}`,
    });
    return entry
      ? answer('credited', `${credits} credits added for ${intent.id}`)
      : answer('duplicate', `${intent.id} was credited before`);
  },
});
