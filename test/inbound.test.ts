// Inbound webhooks: providers post signed events to an inbound source's URL. Stripe requests
// are signed with the stripe package's own test-header helper and voice requests with the
// standardwebhooks package, exactly as the providers would sign them.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { inboundRetention } from '../src/inbound/inbound-module.ts';

const STRIPE_SECRET = 'whsec_test_stripe_signing_secret_1';
const VOICE_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
});
after(async () => {
  await ctx.close();
});
beforeEach(async () => {
  account = await ctx.newAccount('Inbound Co');
});

const { call } = accountClient(
  () => ctx,
  () => account,
);

async function createSource(provider: 'stripe' | 'voice', secret: string) {
  const created = await call('POST', '/v1/inbound-sources', {
    provider,
    signing_secret: secret,
    description: `${provider} events`,
  });
  assert.equal(created.status, 201, created.text);
  return created.body.data as { id: string; url_path: string };
}

function postStripe(
  path: string,
  event: Record<string, unknown>,
  options: { secret?: string; timestamp?: number } = {},
) {
  const payload = JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? STRIPE_SECRET,
    timestamp: options.timestamp,
  });
  return ctx.call('POST', path, {
    rawBody: payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
  });
}

function postVoice(path: string, id: string, event: Record<string, unknown>, secret = VOICE_SECRET) {
  const payload = JSON.stringify(event);
  const at = new Date(); // one instant for the signature and the header, or a second may tick between them
  const signature = new Webhook(secret).sign(id, at, payload);
  return ctx.call('POST', path, {
    rawBody: payload,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    },
  });
}

const stripeEvent = (id: string, type: string, object: Record<string, unknown>) => ({
  id,
  object: 'event',
  type,
  api_version: '2025-01-27',
  created: Math.floor(Date.now() / 1000),
  data: { object },
});

/** An open invoice for `total` cents. */
async function openInvoice(total = 5000) {
  const customer = await call('POST', '/v1/customers', {
    name: 'Grace Hopper',
    phone: '+1 555 0142',
    email: 'grace@example.test',
  });
  const invoice = await call('POST', '/v1/invoices', {
    customer_id: customer.body.data.id,
    line_items: [{ description: 'Repair', quantity: 1, unit_amount: total }],
  });
  const sent = await call('POST', `/v1/invoices/${invoice.body.data.id}/send`);
  assert.equal(sent.status, 200, sent.text);
  return { customerId: customer.body.data.id as string, invoiceId: invoice.body.data.id as string };
}

const requestsOf = async (sourceId: string, query = '') =>
  (await call('GET', `/v1/inbound-sources/${sourceId}/requests${query}`)).body.data as any[];

describe('inbound sources', () => {
  test('the signing secret is write-only: stored encrypted, absent from responses, lists and events', async () => {
    const source = await createSource('stripe', STRIPE_SECRET);
    assert.match(source.url_path, /^\/v1\/inbound\/stripe\/ibt_[A-Za-z0-9_-]{24}$/);
    assert.equal('signing_secret' in source, false);
    const fetched = await call('GET', `/v1/inbound-sources/${source.id}`);
    assert.equal('signing_secret' in fetched.body.data, false);
    const listed = await call('GET', '/v1/inbound-sources');
    assert.equal(listed.text.includes(STRIPE_SECRET), false);
    const events = await call('GET', '/v1/events?type=inbound_source.created');
    assert.equal(events.body.data.length, 1);
    assert.equal(events.text.includes(STRIPE_SECRET), false);
    const [stored] = await systemQuery(ctx.db, {
      sql: 'SELECT signing_secret FROM inbound_sources WHERE id = $1',
      parameters: [source.id],
    });
    assert.match(stored.signing_secret, /^v1:/);
    assert.equal(String(stored.signing_secret).includes(STRIPE_SECRET), false);
    for (const query of ['?signing_secret=x', '?fields=signing_secret', '?sort=signing_secret']) {
      assert.equal((await call('GET', `/v1/inbound-sources${query}`)).status, 400, query);
    }
    for (const format of ['csv', 'json']) {
      const exported = await call('GET', `/v1/inbound-sources/export?format=${format}`);
      assert.equal(exported.status, 200);
      assert.ok(
        exported.text.includes(source.id) &&
          !exported.text.includes('signing_secret') &&
          !exported.text.includes(STRIPE_SECRET),
        format,
      );
    }
  });

  test('a secret of the wrong shape for its provider is refused and nothing is created', async () => {
    const stripe = await call('POST', '/v1/inbound-sources', {
      provider: 'stripe',
      signing_secret: 'sk_live_not_a_signing_secret',
    });
    assert.equal(stripe.status, 422);
    assert.equal(stripe.body.errors[0].path, 'signing_secret');
    const voice = await call('POST', '/v1/inbound-sources', { provider: 'voice', signing_secret: 'whsec_short' });
    assert.equal(voice.status, 422);
    assert.match(voice.body.errors[0].message, /24 to 64 bytes/);
    assert.equal((await call('GET', '/v1/inbound-sources')).body.data.length, 0);
    // The same rule holds for PATCH and for bulk updates.
    const source = await createSource('voice', VOICE_SECRET);
    const patched = await call('PATCH', `/v1/inbound-sources/${source.id}`, { signing_secret: 'whsec_short' });
    assert.equal(patched.status, 422);
    const bulk = await call('POST', '/v1/inbound-sources/bulk', {
      operations: [{ action: 'update', id: source.id, data: { signing_secret: 'whsec_short' } }],
    });
    assert.equal(bulk.status, 422, bulk.text);
    assert.match(bulk.text, /24 to 64 bytes/);
    const still = await postVoice(source.url_path, 'msg_still', { type: 'call.started', data: { call_id: 'c1' } });
    assert.equal(still.status, 200, 'the original secret still verifies');
  });

  test(
    'changing the secret: the new one verifies, ' + 'the old one no longer does, and the event does not carry it',
    async () => {
      const source = await createSource('stripe', STRIPE_SECRET);
      const patched = await call('PATCH', `/v1/inbound-sources/${source.id}`, {
        signing_secret: 'whsec_the_new_one_0123456789abcdef',
      });
      assert.equal(patched.status, 200, patched.text);
      const updated = await call('GET', '/v1/events?type=inbound_source.updated');
      assert.equal(updated.body.data.length, 1);
      assert.equal(updated.text.includes('whsec_the_new_one_0123456789abcdef'), false);
      assert.deepEqual(updated.body.data[0].data.previous_attributes, {});
      assert.equal((await postStripe(source.url_path, stripeEvent('evt_old', 'customer.created', {}))).status, 400);
      assert.equal(
        (
          await postStripe(source.url_path, stripeEvent('evt_new', 'customer.created', {}), {
            secret: 'whsec_the_new_one_0123456789abcdef',
          })
        ).status,
        200,
      );
    },
  );

  test("unknown, disabled and deleted sources answer 404; another provider's path does too", async () => {
    const source = await createSource('stripe', STRIPE_SECRET);
    const event = stripeEvent('evt_1', 'customer.created', {});
    assert.equal((await postStripe('/v1/inbound/stripe/ibt_doesnotexist', event)).status, 404);
    assert.equal((await postStripe(source.url_path.replace('/stripe/', '/voice/'), event)).status, 404);
    assert.equal((await postStripe(source.url_path.replace('/stripe/', '/paypal/'), event)).status, 404);
    await call('POST', `/v1/inbound-sources/${source.id}/disable`);
    assert.equal((await postStripe(source.url_path, event)).status, 404);
    await call('POST', `/v1/inbound-sources/${source.id}/enable`);
    assert.equal((await postStripe(source.url_path, event)).status, 200);
    await call('DELETE', `/v1/inbound-sources/${source.id}`);
    assert.equal((await postStripe(source.url_path, event)).status, 404);
    assert.equal((await ctx.call('GET', source.url_path)).status, 405);
  });

  test(
    'bodies PostgreSQL cannot store: ' + 'an unsigned one is refused and logged escaped; a signed one is a 422',
    async () => {
      const source = await createSource('voice', VOICE_SECRET);
      const unsigned = await ctx.call('POST', source.url_path, {
        rawBody: 'not json \u0000 at all',
        headers: { 'content-type': 'text/plain' },
      });
      assert.equal(unsigned.status, 400, unsigned.text);
      const signed = await postVoice(source.url_path, 'msg_nul', {
        type: 'call.transcript',
        data: { call_id: 'c-nul', transcript: 'a\u0000b' },
      });
      assert.equal(signed.status, 422, signed.text);
      assert.equal(signed.body.errors[0].path, 'data.transcript');
      const logged = await requestsOf(source.id, '?sort=created_at');
      assert.deepEqual(
        logged.map((r) => r.outcome),
        ['rejected', 'failed'],
      );
      assert.equal(logged[0].body, 'not json \uFFFD at all');
    },
  );

  test('a secret the server can no longer decrypt answers 503 and says so in the log', async () => {
    const source = await createSource('stripe', STRIPE_SECRET);
    await systemQuery(ctx.db, {
      sql: "UPDATE inbound_sources SET signing_secret = 'v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' WHERE id = $1",
      parameters: [source.id],
    });
    const answer = await postStripe(source.url_path, stripeEvent('evt_k', 'customer.created', {}));
    assert.equal(answer.status, 503);
    const [logged] = await requestsOf(source.id);
    assert.match(logged.detail, /cannot be decrypted/);
  });

  test('the inbound log and receipts are deleted after the retention period', async () => {
    const source = await createSource('stripe', STRIPE_SECRET);
    await postStripe(source.url_path, stripeEvent('evt_old', 'customer.created', {}));
    await postStripe(source.url_path, stripeEvent('evt_new', 'customer.created', {}));
    await systemQuery(ctx.db, {
      sql:
        "UPDATE inbound_requests SET created_at = now() - interval '31 days' " +
        "WHERE source_id = $1 AND external_id = 'evt_old'",
      parameters: [source.id],
    });
    await systemQuery(ctx.db, {
      sql:
        "UPDATE inbound_receipts SET created_at = now() - interval '31 days' " +
        "WHERE source_id = $1 AND external_id = 'evt_old'",
      parameters: [source.id],
    });
    assert.ok((await ctx.runtime.use(inboundRetention).sweep()) >= 1);
    assert.deepEqual(
      (await requestsOf(source.id)).map((r) => r.external_id),
      ['evt_new'],
    );
    const receipts = await systemQuery(ctx.db, {
      sql: 'SELECT external_id FROM inbound_receipts WHERE source_id = $1',
      parameters: [source.id],
    });
    assert.deepEqual(
      receipts.map((r) => r.external_id),
      ['evt_new'],
    );
  });

  test('another account cannot see a source or its request log', async () => {
    const source = await createSource('stripe', STRIPE_SECRET);
    await postStripe(source.url_path, stripeEvent('evt_private', 'customer.created', {}));
    const other = await ctx.newAccount('Other Co');
    assert.equal((await call('GET', `/v1/inbound-sources/${source.id}`, undefined, other.key)).status, 404);
    assert.equal((await call('GET', `/v1/inbound-sources/${source.id}/requests`, undefined, other.key)).status, 404);
    assert.equal((await call('GET', '/v1/inbound-requests', undefined, other.key)).body.data.length, 0);
  });
});

describe('Stripe events', () => {
  test(
    'payment_intent.succeeded records a card payment on ' + 'the invoice in its metadata, which becomes paid',
    async () => {
      const source = await createSource('stripe', STRIPE_SECRET);
      const { invoiceId } = await openInvoice(5000);
      const intent = {
        id: 'pi_123',
        object: 'payment_intent',
        amount: 5000,
        amount_received: 5000,
        currency: 'usd',
        client_secret: 'pi_123_secret_abc',
        metadata: { fieldline_invoice_id: invoiceId },
      };
      const answer = await postStripe(source.url_path, stripeEvent('evt_pi_1', 'payment_intent.succeeded', intent));
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.data.outcome, 'applied');

      const payments = await call('GET', `/v1/payments?invoice_id=${invoiceId}`);
      assert.equal(payments.body.data.length, 1);
      assert.equal(payments.body.data[0].amount, 5000);
      assert.equal(payments.body.data[0].method, 'card');
      assert.equal(payments.body.data[0].reference, 'pi_123');
      assert.equal((await call('GET', `/v1/invoices/${invoiceId}`)).body.data.status, 'paid');
      // The events of the change point at the inbound request, which is in the request log too.
      const created = await call('GET', '/v1/events?type=payment.created');
      assert.equal(created.body.data[0].request_id, answer.headers.get('x-request-id'));

      const [logged] = await requestsOf(source.id);
      assert.equal(logged.id, answer.body.data.id);
      assert.equal(logged.verified, true);
      assert.equal(logged.external_id, 'evt_pi_1');
      assert.equal(logged.event_type, 'payment_intent.succeeded');
      assert.deepEqual(logged.objects, [payments.body.data[0].id, invoiceId]);
      assert.equal(logged.headers['stripe-signature'].startsWith('t='), true);
      assert.equal(JSON.parse(logged.body).data.object.client_secret, '[redacted]');
    },
  );

  test('a replayed event applies once: the repeat answers duplicate and changes nothing', async () => {
    const source = await createSource('stripe', STRIPE_SECRET);
    const { invoiceId } = await openInvoice(9000);
    const event = stripeEvent('evt_once', 'payment_intent.succeeded', {
      id: 'pi_once',
      amount: 3000,
      amount_received: 3000,
      currency: 'usd',
      metadata: { fieldline_invoice_id: invoiceId },
    });
    const answers = await Promise.all([
      postStripe(source.url_path, event),
      postStripe(source.url_path, event),
      postStripe(source.url_path, event),
    ]);
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200],
    );
    assert.deepEqual(answers.map((a) => a.body.data.outcome).sort(), ['applied', 'duplicate', 'duplicate']);
    assert.equal((await call('GET', `/v1/payments?invoice_id=${invoiceId}`)).body.data.length, 1);
    assert.equal((await requestsOf(source.id, '?outcome=duplicate')).length, 2);
  });

  test(
    'invoice.paid and payment_intent.succeeded for the same payment record it once, ' + 'even at the same moment',
    async () => {
      const source = await createSource('stripe', STRIPE_SECRET);
      const { invoiceId } = await openInvoice(7000);
      const metadata = { fieldline_invoice_id: invoiceId };
      const [a, b] = await Promise.all([
        postStripe(
          source.url_path,
          stripeEvent('evt_a', 'payment_intent.succeeded', {
            id: 'pi_same',
            amount: 7000,
            amount_received: 7000,
            currency: 'usd',
            metadata,
          }),
        ),
        postStripe(
          source.url_path,
          stripeEvent('evt_b', 'invoice.paid', {
            id: 'in_1',
            amount_paid: 7000,
            currency: 'usd',
            payment_intent: 'pi_same',
            metadata,
          }),
        ),
      ]);
      assert.deepEqual([a.status, b.status], [200, 200]);
      assert.deepEqual([a.body.data.outcome, b.body.data.outcome].sort(), ['applied', 'ignored']);
      assert.equal((await call('GET', `/v1/payments?invoice_id=${invoiceId}`)).body.data.length, 1);
      assert.equal((await call('GET', `/v1/invoices/${invoiceId}`)).body.data.status, 'paid');
    },
  );

  test(
    'invoice.paid in the current API shape (the PaymentIntent under payments) ' +
      'is the same payment as payment_intent.succeeded',
    async () => {
      const source = await createSource('stripe', STRIPE_SECRET);
      const { invoiceId } = await openInvoice(6000);
      const metadata = { fieldline_invoice_id: invoiceId };
      const invoicePaid = {
        id: 'in_new',
        amount_paid: 6000,
        currency: 'usd',
        metadata,
        payments: { object: 'list', data: [{ payment: { type: 'payment_intent', payment_intent: 'pi_new' } }] },
      };
      assert.equal(
        (await postStripe(source.url_path, stripeEvent('evt_inv', 'invoice.paid', invoicePaid))).body.data.outcome,
        'applied',
      );
      const later = await postStripe(
        source.url_path,
        stripeEvent('evt_pi', 'payment_intent.succeeded', {
          id: 'pi_new',
          amount: 6000,
          amount_received: 6000,
          currency: 'usd',
          metadata,
        }),
      );
      assert.equal(later.body.data.outcome, 'ignored', later.text);
      const payments = (await call('GET', `/v1/payments?invoice_id=${invoiceId}`)).body.data;
      assert.deepEqual(
        payments.map((p: any) => p.reference),
        ['pi_new'],
      );
    },
  );

  test('events that can never apply are acknowledged as ignored, so Stripe does not retry them for days', async () => {
    const source = await createSource('stripe', STRIPE_SECRET);
    const { invoiceId } = await openInvoice(1000);
    const metadata = { fieldline_invoice_id: invoiceId };
    const cases: [string, string, Record<string, unknown>, RegExp][] = [
      ['evt_zero', 'invoice.paid', { id: 'in_zero', amount_paid: 0, currency: 'usd', metadata }, /amount 0/],
      [
        'evt_unknown_invoice',
        'payment_intent.succeeded',
        {
          id: 'pi_u',
          amount: 100,
          currency: 'usd',
          metadata: { fieldline_invoice_id: 'inv_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB' },
        },
        /names no invoice/,
      ],
      [
        'evt_paid',
        'payment_intent.succeeded',
        { id: 'pi_paid', amount: 1000, currency: 'usd', metadata },
        /recorded payment/,
      ],
      [
        'evt_after_paid',
        'payment_intent.succeeded',
        { id: 'pi_second', amount: 1000, currency: 'usd', metadata },
        /is paid/,
      ],
    ];
    for (const [id, type, object, detail] of cases) {
      const answer = await postStripe(source.url_path, stripeEvent(id, type, object));
      assert.equal(answer.status, 200, `${id}: ${answer.text}`);
      assert.match(answer.body.data.detail, detail, id);
    }
    assert.equal((await call('GET', `/v1/payments?invoice_id=${invoiceId}`)).body.data.length, 1);
  });

  test('a refund that arrives before its payment answers 422 and applies when Stripe retries it', async () => {
    const source = await createSource('stripe', STRIPE_SECRET);
    const { invoiceId } = await openInvoice(3000);
    const metadata = { fieldline_invoice_id: invoiceId };
    const refund = stripeEvent('evt_refund_early', 'charge.refunded', {
      id: 'ch_e',
      payment_intent: 'pi_e',
      amount: 3000,
      amount_refunded: 3000,
      refunded: true,
      metadata,
    });
    assert.equal((await postStripe(source.url_path, refund)).status, 422);
    await postStripe(
      source.url_path,
      stripeEvent('evt_pay_late', 'payment_intent.succeeded', { id: 'pi_e', amount: 3000, currency: 'usd', metadata }),
    );
    assert.equal((await postStripe(source.url_path, refund)).body.data.outcome, 'applied');
    assert.equal((await call('GET', `/v1/payments?reference=pi_e`)).body.data[0].status, 'refunded');
  });

  test('a Stripe object missing what we need is a 422 naming the member, never a 500', async () => {
    const source = await createSource('stripe', STRIPE_SECRET);
    const answer = await postStripe(
      source.url_path,
      stripeEvent('evt_bad', 'payment_intent.succeeded', { id: 'pi_bad', amount: 10 }),
    );
    assert.equal(answer.status, 422, answer.text);
    assert.deepEqual(
      answer.body.errors.map((e: any) => e.path),
      ['data.object.currency'],
    );
  });

  test('charge.refunded refunds the payment in full; a partial refund is logged and ignored', async () => {
    const source = await createSource('stripe', STRIPE_SECRET);
    const { invoiceId } = await openInvoice(4000);
    await postStripe(
      source.url_path,
      stripeEvent('evt_pay', 'payment_intent.succeeded', {
        id: 'pi_r',
        amount: 4000,
        amount_received: 4000,
        currency: 'usd',
        metadata: { fieldline_invoice_id: invoiceId },
      }),
    );
    const partial = await postStripe(
      source.url_path,
      stripeEvent('evt_part', 'charge.refunded', {
        id: 'ch_1',
        payment_intent: 'pi_r',
        amount: 4000,
        amount_refunded: 1000,
        refunded: false,
      }),
    );
    assert.equal(partial.body.data.outcome, 'ignored');
    assert.match(partial.body.data.detail, /partial refund/);
    const full = await postStripe(
      source.url_path,
      stripeEvent('evt_full', 'charge.refunded', {
        id: 'ch_1',
        payment_intent: 'pi_r',
        amount: 4000,
        amount_refunded: 4000,
        refunded: true,
      }),
    );
    assert.equal(full.body.data.outcome, 'applied', full.text);
    const [payment] = (await call('GET', `/v1/payments?invoice_id=${invoiceId}`)).body.data;
    assert.equal(payment.status, 'refunded');
    assert.match(payment.refund_reason, /ch_1/);
    assert.equal((await call('GET', '/v1/events?type=payment.refunded')).body.data.length, 1);
  });

  test(
    'bad signature, stale timestamp and missing header answer 400, ' + 'are logged as rejected and change nothing',
    async () => {
      const source = await createSource('stripe', STRIPE_SECRET);
      const { invoiceId } = await openInvoice(5000);
      const event = stripeEvent('evt_forged', 'payment_intent.succeeded', {
        id: 'pi_f',
        amount: 5000,
        amount_received: 5000,
        currency: 'usd',
        metadata: { fieldline_invoice_id: invoiceId },
      });
      const forged = await postStripe(source.url_path, event, { secret: 'whsec_somebody_else' });
      assert.equal(forged.status, 400);
      assert.equal(forged.body.code, 'invalid_signature');
      const stale = await postStripe(source.url_path, event, { timestamp: Math.floor(Date.now() / 1000) - 400 });
      assert.equal(stale.status, 400);
      assert.match(stale.body.detail, /tolerance/i);
      const unsigned = await ctx.call('POST', source.url_path, { body: event });
      assert.equal(unsigned.status, 400);
      const tampered = JSON.stringify({ ...event, id: 'evt_tampered' });
      const signature = Stripe.webhooks.generateTestHeaderString({
        payload: JSON.stringify(event),
        secret: STRIPE_SECRET,
      });
      assert.equal(
        (await ctx.call('POST', source.url_path, { rawBody: tampered, headers: { 'stripe-signature': signature } }))
          .status,
        400,
      );

      assert.equal((await call('GET', `/v1/payments?invoice_id=${invoiceId}`)).body.data.length, 0);
      const rejected = await requestsOf(source.id, '?outcome=rejected');
      assert.equal(rejected.length, 4);
      assert.ok(rejected.every((r) => r.verified === false && r.http_status === 400 && r.external_id === null));
      // Rejections do not consume the event id: the authentic event still applies.
      assert.equal((await postStripe(source.url_path, event)).body.data.outcome, 'applied');
    },
  );

  test(
    'an authentic event that cannot be applied answers 422, ' +
      'keeps nothing, and applies when the provider retries later',
    async () => {
      const source = await createSource('stripe', STRIPE_SECRET);
      const customer = await call('POST', '/v1/customers', { name: 'Draft Customer', email: 'draft@example.test' });
      const draft = await call('POST', '/v1/invoices', {
        customer_id: customer.body.data.id,
        line_items: [{ description: 'Visit', quantity: 1, unit_amount: 2500 }],
      });
      const invoiceId = draft.body.data.id;
      const event = stripeEvent('evt_early', 'payment_intent.succeeded', {
        id: 'pi_early',
        amount: 2500,
        amount_received: 2500,
        currency: 'usd',
        metadata: { fieldline_invoice_id: invoiceId },
      });
      const early = await postStripe(source.url_path, event);
      assert.equal(early.status, 422, early.text);
      assert.match(early.body.detail, /draft/);
      const [failed] = await requestsOf(source.id, '?outcome=failed');
      assert.equal(failed.http_status, 422);
      assert.equal((await call('GET', `/v1/payments?invoice_id=${invoiceId}`)).body.data.length, 0);

      await call('POST', `/v1/invoices/${invoiceId}/send`);
      const retried = await postStripe(source.url_path, event);
      assert.equal(retried.body.data.outcome, 'applied', retried.text);
      assert.equal((await call('GET', `/v1/invoices/${invoiceId}`)).body.data.status, 'paid');
    },
  );

  test('events Fieldline does not act on, or without our metadata, are acknowledged and ignored', async () => {
    const source = await createSource('stripe', STRIPE_SECRET);
    const other = await postStripe(source.url_path, stripeEvent('evt_c', 'customer.created', { id: 'cus_stripe' }));
    assert.equal(other.status, 200);
    assert.equal(other.body.data.outcome, 'ignored');
    const foreign = await postStripe(
      source.url_path,
      stripeEvent('evt_x', 'payment_intent.succeeded', {
        id: 'pi_x',
        amount: 100,
        amount_received: 100,
        currency: 'usd',
        metadata: {},
      }),
    );
    assert.equal(foreign.body.data.outcome, 'ignored');
    assert.match(foreign.body.data.detail, /fieldline_invoice_id/);
  });
});

describe('voice events', () => {
  test("a call's events build one call log, linked to the customer by phone number, in any order", async () => {
    const source = await createSource('voice', VOICE_SECRET);
    const customer = await call('POST', '/v1/customers', { name: 'Caller', phone: '+1 555 0199' });
    const data = { call_id: 'call-42', direction: 'inbound', from: '+1 555 0199', to: '+1 555 0100' };
    const ended = await postVoice(source.url_path, 'msg_2', {
      type: 'call.ended',
      data: { ...data, ended_at: '2026-11-20T10:05:00Z' },
    });
    assert.equal(ended.status, 200, ended.text);
    const started = await postVoice(source.url_path, 'msg_1', {
      type: 'call.started',
      data: { ...data, started_at: '2026-11-20T10:00:30Z' },
    });
    assert.equal(started.body.data.outcome, 'applied', started.text);
    const transcript = await postVoice(source.url_path, 'msg_3', {
      type: 'call.transcript',
      data: { ...data, transcript: 'Agent: Hello. Caller: My boiler is broken.', summary: 'Boiler repair request' },
    });
    assert.equal(transcript.body.data.outcome, 'applied');

    const logs = (await call('GET', '/v1/call-logs?provider_call_id=call-42')).body.data;
    assert.equal(logs.length, 1);
    const [log] = logs;
    assert.equal(log.customer_id, customer.body.data.id);
    assert.equal(log.status, 'completed', 'a late call.started does not reopen an ended call');
    assert.equal(log.started_at, '2026-11-20T10:00:30.000Z');
    assert.equal(log.ended_at, '2026-11-20T10:05:00.000Z');
    assert.equal(log.summary, 'Boiler repair request');
    assert.match(log.transcript, /boiler is broken/);
    assert.equal((await call('GET', '/v1/events?type=call_log.created')).body.data.length, 1);
  });

  test('the started and ended events of one call arriving together still make one call log', async () => {
    const source = await createSource('voice', VOICE_SECRET);
    const data = { call_id: 'call-race', direction: 'outbound', to: '+1 555 0123' };
    const answers = await Promise.all([
      postVoice(source.url_path, 'race_1', {
        type: 'call.started',
        data: { ...data, started_at: '2026-11-20T09:00:00Z' },
      }),
      postVoice(source.url_path, 'race_2', {
        type: 'call.ended',
        data: { ...data, ended_at: '2026-11-20T09:02:00Z', duration_seconds: 120 },
      }),
    ]);
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200],
    );
    const logs = (await call('GET', '/v1/call-logs?provider_call_id=call-race')).body.data;
    assert.equal(logs.length, 1);
    assert.equal(logs[0].duration_seconds, 120);
    assert.equal(logs[0].status, 'completed');
  });

  test('HMAC: a wrong secret or a replayed message id changes nothing; a malformed event is a 422', async () => {
    const source = await createSource('voice', VOICE_SECRET);
    const event = { type: 'call.started', data: { call_id: 'call-7', direction: 'inbound', from: '+1 555 0111' } };
    const forged = await postVoice(source.url_path, 'msg_f', event, `whsec_${Buffer.alloc(32, 9).toString('base64')}`);
    assert.equal(forged.status, 400);
    assert.equal(forged.body.code, 'invalid_signature');
    assert.equal((await postVoice(source.url_path, 'msg_a', event)).body.data.outcome, 'applied');
    assert.equal((await postVoice(source.url_path, 'msg_a', event)).body.data.outcome, 'duplicate');
    const malformed = await postVoice(source.url_path, 'msg_bad', {
      type: 'call.started',
      data: { direction: 'sideways' },
    });
    assert.equal(malformed.status, 422);
    assert.deepEqual(malformed.body.errors.map((e: any) => e.path).sort(), ['data.call_id', 'data.direction']);
    assert.equal((await call('GET', '/v1/call-logs')).body.data.length, 1);
  });
});

describe('guessing from one address', () => {
  let proxied: TestContext;
  before(async () => {
    proxied = await createTestContext({ trustProxy: true });
  });
  after(async () => {
    await proxied.close();
  });

  test("after 30 failed posts a minute, an address gets 429s and the account's log stops growing", async () => {
    const owner = await proxied.newAccount('Targeted Co');
    const created = await proxied.call('POST', '/v1/inbound-sources', {
      key: owner.key,
      body: { provider: 'stripe', signing_secret: STRIPE_SECRET },
    });
    const path = created.body.data.url_path;
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      const answer = await proxied.call('POST', path, {
        body: { id: `evt_${i}` },
        headers: { 'x-forwarded-for': '203.0.113.9', 'stripe-signature': 't=1,v1=00' },
      });
      statuses.push(answer.status);
    }
    assert.deepEqual(statuses, [...Array(30).fill(400), ...Array(5).fill(429)]);
    const logged = await proxied.call('GET', `/v1/inbound-sources/${created.body.data.id}/requests?limit=100`, {
      key: owner.key,
    });
    assert.equal(logged.body.data.length, 30);
    assert.ok(logged.body.data.every((r: any) => r.body.length <= 4096));
    // Another address is not held back by that one.
    assert.equal(
      (await proxied.call('POST', path, { body: {}, headers: { 'x-forwarded-for': '198.51.100.7' } })).status,
      400,
    );
  });
});
