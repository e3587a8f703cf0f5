// Buying credits: POST /v1/billing/credits/top-up makes a PaymentIntent on the platform's Stripe
// account through the official SDK (played by support/stripe-fake.ts on 127.0.0.1), and the signed
// `payment_intent.succeeded` Stripe posts back credits the account once, even delivered twice.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { createServedTestContext } from './support/real-port.ts';
import { accountClient, type TestAccount, type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { fakeSecretKey, startStripeFake, type StripeFake } from './support/stripe-fake.ts';

const WEBHOOK_SECRET = 'whsec_credits_test_0123456789abcdef';
const SECRET_KEY = fakeSecretKey();
let stripe: StripeFake;
let served: Awaited<ReturnType<typeof createServedTestContext>>;
let t: TestContext;
let account: TestAccount;
let webhook: { url: string; secret: string };
const { call } = accountClient(
  () => t,
  () => account,
);

before(async () => {
  stripe = await startStripeFake();
  stripe.addAccount(SECRET_KEY, 'Fieldline Platform');
  served = await createServedTestContext({
    stripe: stripe.api,
    credits: { unitPrice: 2, currency: 'usd', stripe: { secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET } },
  });
  t = served.t;
  webhook = { url: `${t.runtime.options.publicUrl}/v1/billing/credits/stripe-webhook`, secret: WEBHOOK_SECRET };
  account = await t.newAccount('Top Up Co');
});
after(async () => {
  await served.close();
  await stripe.close();
});

const balance = async () => (await call('GET', '/v1/billing/credits')).body.data;

describe('credit top-ups through Stripe', () => {
  test('a top-up is a PaymentIntent at the credit price, credited once though Stripe reports it twice', async () => {
    const created = await call('POST', '/v1/billing/credits/top-up', { amount: 500 });
    assert.equal(created.status, 201, created.text);
    const topUp = created.body.data;
    assert.deepEqual([topUp.amount, topUp.price.amount, topUp.price.currency], [500, 1000, 'usd']);
    assert.match(topUp.payment_intent.id, /^pi_/);
    assert.match(topUp.payment_intent.client_secret, /_secret_/);
    const request = stripe.requests.find((r) => r.path === '/v1/payment_intents' && r.method === 'POST');
    assert.ok(request, 'the SDK called the fake');
    assert.equal((await balance()).metered, false, 'nothing credited before the payment');

    const first = await stripe.succeed(topUp.payment_intent.id, webhook);
    assert.deepEqual([first.status, first.body.data.outcome], [200, 'credited']);
    const again = await stripe.succeed(topUp.payment_intent.id, webhook);
    assert.deepEqual([again.status, again.body.data.outcome], [200, 'duplicate']);

    const data = await balance();
    assert.deepEqual([data.metered, data.balance], [true, 500]);
    assert.deepEqual(
      data.ledger.map((e: any) => [e.reason, e.delta, e.reference, e.actor]),
      [['top_up', 500, topUp.payment_intent.id, 'stripe']],
    );
  });

  test('an unsigned or forged event credits nothing', async () => {
    // 10 credits cost 20 cents, under Stripe's minimum charge: Stripe's refusal names the amount.
    const tooSmall = assertProblem(
      await call('POST', '/v1/billing/credits/top-up', { amount: 10 }),
      422,
      'validation_failed',
    );
    assert.equal(tooSmall.errors[0].path, 'amount');
    const created = await call('POST', '/v1/billing/credits/top-up', { amount: 50 });
    const intentId = created.body.data.payment_intent.id;
    const payload = JSON.stringify({
      id: 'evt_forged',
      object: 'event',
      type: 'payment_intent.succeeded',
      data: {
        object: {
          id: intentId,
          amount_received: 1_000_000,
          currency: 'usd',
          metadata: {
            fieldline_purpose: 'credit_top_up',
            fieldline_account_id: account.id,
            fieldline_credits: '500000',
          },
        },
      },
    });
    const forged = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_not_ours_0123456789' });
    for (const signature of [forged, '']) {
      const response = await t.call('POST', '/v1/billing/credits/stripe-webhook', {
        rawBody: payload,
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      });
      assertProblem(response, 400, 'invalid_signature');
    }
    assert.equal((await balance()).balance, 500, 'unchanged');
  });

  test('bad amounts are refused before Stripe is called', async () => {
    const before = stripe.requests.length;
    for (const amount of [0, -5, 1.5, 'ten', 2_000_000])
      assertProblem(await call('POST', '/v1/billing/credits/top-up', { amount }), 422, 'validation_failed');
    assertProblem(await call('POST', '/v1/billing/credits/top-up', { amount: 5, extra: 1 }), 422, 'validation_failed');
    assert.equal(stripe.requests.length, before);
  });

  test('a key without write:credits cannot top up', async () => {
    const reader = await t.newKey(account.id, ['read:credits']);
    assertProblem(await call('POST', '/v1/billing/credits/top-up', { amount: 5 }, reader), 403, 'insufficient_scope');
    assert.equal((await call('GET', '/v1/billing/credits', undefined, reader)).status, 200);
  });
});
