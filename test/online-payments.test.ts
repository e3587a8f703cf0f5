// Online card payments: an account connects Stripe (the official SDK talks to a Stripe fake on
// 127.0.0.1), starts a PaymentIntent for an invoice, and the payment is recorded when the fake,
// playing Stripe, posts the signed `payment_intent.succeeded` event to the account's inbound source.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemQuery } from '../src/db/system-query.ts';
import { createServedTestContext } from './support/real-port.ts';
import { accountClient, type TestAccount, type TestContext } from './support/test-context.ts';
import { assertNames, assertProblem } from './support/problem-assertions.ts';
import { fakePublishableKey, fakeSecretKey, startStripeFake, type StripeFake } from './support/stripe-fake.ts';

const SIGNING_SECRET = 'whsec_test_online_payments_secret_1';

let stripe: StripeFake;
let served: Awaited<ReturnType<typeof createServedTestContext>>;
let t: TestContext;
let account: TestAccount;

before(async () => {
  stripe = await startStripeFake();
  served = await createServedTestContext({ stripe: stripe.api });
  t = served.t;
});
after(async () => {
  await served.close();
  await stripe.close();
});
beforeEach(async () => {
  account = await t.newAccount('Card Co');
});

const { call } = accountClient(
  () => t,
  () => account,
);

/** Connects a new fake Stripe account; answers its keys. */
async function connectStripe() {
  const keys = { secret_key: fakeSecretKey(), publishable_key: fakePublishableKey() };
  const stripeAccount = stripe.addAccount(keys.secret_key, 'Card Co Ltd');
  const connected = await call('POST', '/v1/account/stripe', keys);
  assert.equal(connected.status, 200, connected.text);
  return { ...keys, stripeAccount, connected };
}

/** An invoice for `total` cents, sent (open) unless `draft`. */
async function invoice(total = 5000, { draft = false } = {}) {
  const customer = await call('POST', '/v1/customers', { name: 'Grace Hopper', email: 'grace@example.test' });
  const created = await call('POST', '/v1/invoices', {
    customer_id: customer.body.data.id,
    line_items: [{ description: 'Boiler repair', quantity: 1, unit_amount: total }],
  });
  assert.equal(created.status, 201, created.text);
  if (draft) return created.body.data.id as string;
  const sent = await call('POST', `/v1/invoices/${created.body.data.id}/send`);
  assert.equal(sent.status, 200, sent.text);
  return created.body.data.id as string;
}

/** The account's Stripe inbound source: where the fake posts its events. */
async function stripeWebhook() {
  const source = await call('POST', '/v1/inbound-sources', { provider: 'stripe', signing_secret: SIGNING_SECRET });
  assert.equal(source.status, 201, source.text);
  return { url: `${served.base}${source.body.data.url_path}`, secret: SIGNING_SECRET };
}

const getInvoice = async (id: string) => (await call('GET', `/v1/invoices/${id}`)).body.data;
const paymentsOf = async (invoiceId: string) =>
  (await call('GET', `/v1/payments?invoice_id=${invoiceId}`)).body.data as any[];
const payIntent = (invoiceId: string, body?: unknown) => call('POST', `/v1/invoices/${invoiceId}/payment-intent`, body);
const intentsCreated = () => stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents');

describe('the Stripe connection', () => {
  test('a key Stripe accepts is kept sealed, and only its public parts are ever shown', async () => {
    const before = await call('GET', '/v1/account/stripe');
    assert.equal(before.status, 200);
    assert.equal(before.body.data.configured, false);
    assert.equal(before.body.data.publishable_key, null);

    const { secret_key, publishable_key, stripeAccount, connected } = await connectStripe();
    assert.deepEqual(
      { ...connected.body.data, connected_at: undefined },
      {
        object: 'stripe_connection',
        configured: true,
        mode: 'test',
        publishable_key,
        stripe_account_id: stripeAccount.id,
        stripe_account_name: 'Card Co Ltd',
        connected_at: undefined,
      },
    );
    assert.ok(Date.parse(connected.body.data.connected_at) > Date.now() - 60_000);
    const verification = stripe.requests.at(-1)!;
    assert.deepEqual([verification.method, verification.path], ['GET', '/v1/account']);

    const read = await call('GET', '/v1/account/stripe');
    assert.deepEqual(read.body.data, connected.body.data);
    for (const response of [connected, read]) assert.equal(response.text.includes(secret_key), false);
    const [stored] = await systemQuery(t.db, {
      sql: 'SELECT secret_key FROM stripe_connections WHERE account_id = $1',
      parameters: [account.id],
    });
    assert.match(stored.secret_key, /^v1:/);
    assert.equal(String(stored.secret_key).includes(secret_key.slice(8)), false);
  });

  test("a key Stripe refuses is a 422 with Stripe's reason, never the key, and nothing is kept", async () => {
    const secret_key = fakeSecretKey(); // the fake knows no account for it
    const refused = await call('POST', '/v1/account/stripe', { secret_key, publishable_key: fakePublishableKey() });
    const problem = assertProblem(refused, 422, 'validation_failed');
    assertNames(problem, 'secret_key');
    assert.match(problem.detail, /Stripe refused the key: Invalid API Key provided/);
    assert.equal(refused.text.includes(secret_key), false);
    assert.equal((await call('GET', '/v1/account/stripe')).body.data.configured, false);

    const shapes = await call('POST', '/v1/account/stripe', {
      secret_key: 'pk_test_abcdefghijkl',
      publishable_key: 'x',
    });
    assertNames(assertProblem(shapes, 422, 'validation_failed'), 'secret_key');
    const mixed = await call('POST', '/v1/account/stripe', {
      secret_key: fakeSecretKey(),
      publishable_key: fakePublishableKey().replace('pk_test_', 'pk_live_'),
    });
    assertNames(assertProblem(mixed, 422, 'validation_failed'), 'publishable_key');
  });

  test('changing it takes write:account; disconnecting forgets the keys', async () => {
    await connectStripe();
    const reader = await t.newKey(account.id, ['read:account', 'write:invoices']);
    assert.equal((await call('GET', '/v1/account/stripe', undefined, reader)).body.data.configured, true);
    assertProblem(await call('DELETE', '/v1/account/stripe', undefined, reader), 403, 'insufficient_scope');

    const removed = await call('DELETE', '/v1/account/stripe');
    assert.equal(removed.status, 200, removed.text);
    assert.equal(removed.body.data.configured, false);
    assert.equal((await call('GET', '/v1/account/stripe')).body.data.configured, false);
    assertProblem(await payIntent(await invoice()), 409, 'payments_not_configured');
  });
});

describe('paying an invoice by card', () => {
  test('end to end: PaymentIntent, the customer pays, Stripe reports it, the invoice is paid', async () => {
    const { publishable_key } = await connectStripe();
    const webhook = await stripeWebhook();
    const invoiceId = await invoice(5000);

    const started = await payIntent(invoiceId);
    assert.equal(started.status, 200, started.text);
    const intent = started.body.data;
    assert.deepEqual(
      { ...intent, id: undefined, client_secret: undefined },
      {
        object: 'payment_intent',
        id: undefined,
        client_secret: undefined,
        amount: 5000,
        currency: 'usd',
        status: 'requires_payment_method',
        publishable_key,
        invoice_id: invoiceId,
      },
    );
    assert.match(intent.id, /^pi_/);
    assert.match(intent.client_secret, new RegExp(`^${intent.id}_secret_`));
    // What Stripe was asked for, as the SDK sent it.
    const sent = intentsCreated().at(-1)!;
    assert.deepEqual(sent.form, {
      amount: '5000',
      currency: 'usd',
      automatic_payment_methods: { enabled: 'true' },
      description: `Invoice ${invoiceId}`,
      metadata: { fieldline_invoice_id: invoiceId, fieldline_account_id: account.id },
    });
    assert.ok(sent.idempotencyKey?.includes(invoiceId));

    const reported = await stripe.succeed(intent.id, webhook);
    assert.equal(reported.status, 200, JSON.stringify(reported.body));
    assert.equal(reported.body.data.outcome, 'applied');

    const paid = await getInvoice(invoiceId);
    assert.deepEqual([paid.status, paid.amount_paid, paid.amount_due], ['paid', 5000, 0]);
    const [payment, ...more] = await paymentsOf(invoiceId);
    assert.deepEqual(more, []);
    assert.deepEqual(
      [payment.amount, payment.currency, payment.method, payment.reference, payment.status],
      [5000, 'USD', 'card', intent.id, 'succeeded'],
    );
    // A paid invoice is not paid twice.
    assertProblem(await payIntent(invoiceId), 409, 'conflict');
  });

  test('a partial payment leaves the rest due, and the rest is paid by a new PaymentIntent', async () => {
    await connectStripe();
    const webhook = await stripeWebhook();
    const invoiceId = await invoice(5000);

    const first = (await payIntent(invoiceId, { amount: 2000 })).body.data;
    assert.equal(first.amount, 2000);
    assert.equal((await stripe.succeed(first.id, webhook)).status, 200);
    let current = await getInvoice(invoiceId);
    assert.deepEqual([current.status, current.amount_paid, current.amount_due], ['open', 2000, 3000]);

    const rest = await payIntent(invoiceId);
    assert.equal(rest.status, 200, rest.text);
    assert.equal(rest.body.data.amount, 3000);
    assert.notEqual(rest.body.data.id, first.id);
    assertNames(assertProblem(await payIntent(invoiceId, { amount: 3001 }), 422, 'validation_failed'), 'amount');
    assert.equal((await stripe.succeed(rest.body.data.id, webhook)).status, 200);
    current = await getInvoice(invoiceId);
    assert.deepEqual([current.status, current.amount_paid, current.amount_due], ['paid', 5000, 0]);
    assert.deepEqual(
      (await paymentsOf(invoiceId)).map((p) => [p.amount, p.reference]).sort(),
      [
        [2000, first.id],
        [3000, rest.body.data.id],
      ].sort(),
    );
  });

  test('asking twice (a double click) answers the same PaymentIntent; another amount is another one', async () => {
    await connectStripe();
    const invoiceId = await invoice(8000);
    const createdBefore = stripe.intents.size;
    const [one, two] = await Promise.all([payIntent(invoiceId), payIntent(invoiceId)]);
    assert.equal(one.status, 200, one.text);
    assert.equal(two.status, 200, two.text);
    assert.equal(one.body.data.id, two.body.data.id);
    assert.equal(one.body.data.client_secret, two.body.data.client_secret);
    assert.equal(stripe.intents.size, createdBefore + 1);

    const part = await payIntent(invoiceId, { amount: 1000 });
    assert.notEqual(part.body.data.id, one.body.data.id);
    assert.equal(stripe.intents.size, createdBefore + 2);
  });

  test('draft, paid and void invoices are a 409, amounts out of range a 422, and nothing changes', async () => {
    await connectStripe();
    const draft = await invoice(5000, { draft: true });
    const voided = await invoice(5000);
    assert.equal((await call('POST', `/v1/invoices/${voided}/void`)).status, 200);
    const paidByCheque = await invoice(5000);
    const cheque = await call('POST', '/v1/payments', {
      amount: 5000,
      method: 'check',
      invoice_id: paidByCheque,
    });
    assert.equal(cheque.status, 201, cheque.text);
    const open = await invoice(5000);
    const before = await Promise.all([draft, voided, paidByCheque, open].map(getInvoice));
    const asked = intentsCreated().length;

    for (const [id, status] of [
      [draft, 'draft'],
      [voided, 'void'],
      [paidByCheque, 'paid'],
    ]) {
      const refused = assertProblem(await payIntent(id), 409, 'conflict');
      assert.match(refused.detail, new RegExp(`is ${status}`));
    }
    for (const amount of [5001, 0, -5]) {
      assertNames(assertProblem(await payIntent(open, { amount }), 422, 'validation_failed'), 'amount');
    }
    assertProblem(await payIntent(open, { amount: 10.5 }), 422, 'validation_failed');
    assertProblem(await payIntent(open, { amount: 100, currency: 'eur' }), 422, 'validation_failed');
    // Stripe's own minimum (50 cents) is Stripe's refusal, at `amount`.
    const tooSmall = assertProblem(await payIntent(open, { amount: 10 }), 422, 'validation_failed');
    assertNames(tooSmall, 'amount');
    assert.match(tooSmall.detail, /Stripe: Amount must be at least 50 cents/);

    assert.equal(intentsCreated().length, asked + 1, 'only the 10-cent request reached Stripe');
    assert.deepEqual(await Promise.all([draft, voided, paidByCheque, open].map(getInvoice)), before);
    assert.equal((await paymentsOf(open)).length, 0);
  });

  test('no Stripe connected, or a key Stripe no longer takes: online payment is not set up', async () => {
    const invoiceId = await invoice(5000);
    const missing = assertProblem(await payIntent(invoiceId), 409, 'payments_not_configured');
    assert.match(missing.detail, /connect Stripe at POST \/v1\/account\/stripe/);

    const { secret_key } = await connectStripe();
    stripe.revoke(secret_key);
    const revoked = assertProblem(await payIntent(invoiceId), 409, 'payments_not_configured');
    assert.match(revoked.detail, /Stripe refused the account's secret key \(Invalid API Key provided/);
    assert.equal(revoked.detail.includes(secret_key), false);
    assert.equal((await getInvoice(invoiceId)).status, 'open');
  });

  test("another account's invoice is a 404, and its Stripe account is never asked", async () => {
    await connectStripe();
    const theirs = await invoice(5000);
    const asked = intentsCreated().length;
    account = await t.newAccount('Other Co');
    await connectStripe();
    assertProblem(await payIntent(theirs), 404, 'not_found');
    assertProblem(await payIntent('inv_nope'), 404, 'not_found');
    assert.equal(intentsCreated().length, asked);
  });
});
