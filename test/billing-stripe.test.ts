// Stripe Billing against a local Stripe (support/stripe-billing-fake.ts): subscribing makes a
// customer and a subscription on the plan's prices, overage is reported as billing meter events
// with exact values (only what is new each time), invoices are Stripe's, and signed invoice
// events move the subscription to past due and back to active.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { startStripeBillingFake } from './support/stripe-billing-fake.ts';
import { fakeSecretKey } from './support/stripe-fake.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { signedInOperator } from './support/platform-operators.ts';
import { billingCycle, stripeBilling } from '../src/billing/billing-services.ts';

const SECRET = fakeSecretKey();
const WEBHOOK_SECRET = 'whsec_billing_test_0123456789';
let fake: Awaited<ReturnType<typeof startStripeBillingFake>>;
let ctx: TestContext;
let account: TestAccount;

before(async () => {
  fake = await startStripeBillingFake(SECRET, WEBHOOK_SECRET);
  ctx = await createTestContext({
    stripe: fake.api,
    stripeBilling: {
      secretKey: SECRET,
      webhookSecret: WEBHOOK_SECRET,
      graceDays: 7,
      meters: { requests: 'fl_requests', aiTokens: 'fl_ai_tokens' },
    },
  });
  // A plan sold through Stripe: standard's limits, a base price and two metered overage prices.
  await systemQuery(ctx.db, {
    sql: `INSERT INTO plans (id, name, features, rates, monthly_requests, monthly_webhook_deliveries,
            monthly_automation_runs, monthly_ai_tokens, price_amount, currency, included_requests, included_ai_tokens,
            overage_per_1000_requests, overage_per_1000_ai_tokens, stripe_price_id, stripe_requests_price_id,
            stripe_ai_tokens_price_id)
          SELECT 'plan_metered', 'metered', features, rates, monthly_requests, monthly_webhook_deliveries,
                 monthly_automation_runs, monthly_ai_tokens, price_amount, currency, included_requests,
                 included_ai_tokens, overage_per_1000_requests, overage_per_1000_ai_tokens,
                 'price_base', 'price_requests', 'price_ai'
            FROM plans WHERE name = 'standard'`,
    parameters: [],
  });
  account = await ctx.newAccount('Billed Co');
});
after(async () => {
  await ctx.close();
  await fake.close();
});

const subscription = async () => (await ctx.call('GET', '/v1/billing/subscription', { key: account.key })).body.data;

function postEvent(type: string, object: unknown, signature?: string) {
  const event = fake.signedEvent(type, object);
  return ctx.call('POST', '/v1/billing/stripe/events', {
    rawBody: event.payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': signature ?? event.signature },
  });
}

describe('Stripe Billing', () => {
  test('subscribing makes a customer and a subscription on the plan’s base and metered prices', async () => {
    const res = await ctx.call('POST', '/v1/account/subscription', {
      key: account.key,
      body: { plan: 'metered' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.data.billing, 'stripe');
    const [customer] = [...fake.customers.values()];
    assert.equal(customer.metadata.fieldline_account_id, account.id);
    assert.equal(customer.name, 'Billed Co');
    const stripeSubscription = fake.subscriptions.get(res.body.data.stripe_subscription_id)!;
    assert.equal(stripeSubscription.customer, customer.id);
    assert.deepEqual(
      stripeSubscription.items.data.map((item) => item.price.id),
      ['price_base', 'price_requests', 'price_ai'],
    );
    assert.equal(res.body.data.stripe_customer_id, customer.id);
  });

  test('overage is reported as meter events: exact units, only what is new', async () => {
    const now = Date.UTC(2026, 0, 20);
    const billing = ctx.runtime.use(stripeBilling)!;
    await systemQuery(ctx.db, {
      sql: `INSERT INTO usage_counters (account_id, period, requests, ai_tokens)
            VALUES ($1, '2026-01', 1234567, 5000001)`,
      parameters: [account.id],
    });
    const first = await billing.reportUsage(now);
    assert.deepEqual(first, [
      { accountId: account.id, meter: 'fl_requests', value: 235 },
      { accountId: account.id, meter: 'fl_ai_tokens', value: 1 },
    ]);
    const customerId = (await subscription()).stripe_customer_id;
    assert.deepEqual(
      fake.meterEvents().map((e) => [e.event_name, e.payload.stripe_customer_id, e.payload.value]),
      [
        ['fl_requests', customerId, '235'],
        ['fl_ai_tokens', customerId, '1'],
      ],
    );
    assert.deepEqual(await billing.reportUsage(now), [], 'nothing new: nothing sent');
    await systemQuery(ctx.db, {
      sql: `UPDATE usage_counters SET requests = requests + 1000 WHERE account_id = $1 AND period = '2026-01'`,
      parameters: [account.id],
    });
    assert.deepEqual(await billing.reportUsage(now), [{ accountId: account.id, meter: 'fl_requests', value: 1 }]);
    assert.equal(fake.meterEvents().length, 3);
  });

  test("invoices are Stripe's", async () => {
    const customerId = (await subscription()).stripe_customer_id;
    const invoice = fake.addInvoice(customerId, {
      total: 7252,
      status: 'paid',
      periodStart: new Date(Date.UTC(2026, 0, 1)),
    });
    const res = await ctx.call('GET', '/v1/billing/invoices', { key: account.key });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.data.map((i: any) => [i.id, i.source, i.period, i.status, i.total_amount]),
      [[invoice.id, 'stripe', '2026-01', 'paid', 7252]],
    );
  });

  test('failed payment: past due; paid invoice: active; a bad signature changes nothing', async () => {
    const customerId = (await subscription()).stripe_customer_id;
    const forged = await postEvent('invoice.payment_failed', { id: 'in_x', customer: customerId }, 't=1,v1=00');
    assert.equal(forged.status, 400, forged.text);
    assert.equal(forged.body.code, 'invalid_signature');
    assert.equal((await subscription()).status, 'active');

    const failed = await postEvent('invoice.payment_failed', {
      id: 'in_failed',
      object: 'invoice',
      customer: customerId,
    });
    assert.equal(failed.status, 200, failed.text);
    assert.equal(failed.body.data.outcome, 'past_due');
    const pastDue = await subscription();
    assert.equal(pastDue.status, 'past_due');
    assert.ok(pastDue.past_due_since);

    const paid = await postEvent('invoice.paid', { id: 'in_paid', object: 'invoice', customer: customerId });
    assert.equal(paid.body.data.outcome, 'active');
    const active = await subscription();
    assert.equal(active.status, 'active');
    assert.equal(active.past_due_since, null);
    const trail = await systemQuery(ctx.db, {
      sql: `SELECT action FROM audit_log WHERE account_id = $1 AND resource_type = 'subscription'
            ORDER BY created_at, id`,
      parameters: [account.id],
    });
    assert.deepEqual(
      trail.map((row) => row.action),
      ['subscription.plan_changed', 'subscription.past_due', 'subscription.paid'],
    );
    const other = await postEvent('customer.created', { id: customerId });
    assert.equal(other.body.data.outcome, 'ignored');
  });

  test('moving to a plan without a Stripe price ends the Stripe subscription', async () => {
    const before = await subscription();
    const res = await ctx.call('POST', '/v1/account/subscription', { key: account.key, body: { plan: 'standard' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.data.billing, 'not_charged');
    assert.equal(fake.subscriptions.get(before.stripe_subscription_id)!.status, 'canceled');
  });

  test('past due beyond the grace period: the account is suspended, its keys refused', async () => {
    const other = await ctx.newAccount('Late Co');
    const subscribed = await ctx.call('POST', '/v1/account/subscription', {
      key: other.key,
      body: { plan: 'metered' },
    });
    assert.equal(subscribed.status, 200, subscribed.text);
    const failed = await postEvent('invoice.payment_failed', {
      id: 'in_late',
      object: 'invoice',
      customer: subscribed.body.data.stripe_customer_id,
    });
    assert.equal(failed.body.data.outcome, 'past_due');
    const cycle = ctx.runtime.use(billingCycle)!;
    const day = 24 * 60 * 60_000;
    assert.deepEqual(await cycle.suspendPastDue(Date.now() + 6 * day), [], 'within the 7 days of grace');
    assert.equal((await ctx.call('GET', '/v1/customers', { key: other.key })).status, 200);
    assert.deepEqual(await cycle.suspendPastDue(Date.now() + 7 * day + 60_000), [other.id]);
    const refused = await ctx.call('GET', '/v1/customers', { key: other.key });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.code, 'account_suspended');
    assert.deepEqual(await cycle.suspendPastDue(Date.now() + 8 * day), [], 'suspended once');

    // Paying lifts billing's suspension at once; the same payment again changes nothing.
    const customer = subscribed.body.data.stripe_customer_id;
    const paid = await postEvent('invoice.paid', { id: 'in_late_paid', object: 'invoice', customer });
    assert.equal(paid.body.data.outcome, 'active', paid.text);
    assert.equal((await ctx.call('GET', '/v1/customers', { key: other.key })).status, 200, 'served again');
    const log = await ctx.call('GET', '/v1/audit-log?action=subscription.resumed', { key: other.key });
    assert.equal(log.body.data.length, 1, log.text);
  });

  test('a payment does not lift a suspension an operator made', async () => {
    const other = await ctx.newAccount('Suspended by ops');
    const subscribed = await ctx.call('POST', '/v1/account/subscription', {
      key: other.key,
      body: { plan: 'metered' },
    });
    const customer = subscribed.body.data.stripe_customer_id;
    await postEvent('invoice.payment_failed', { id: 'in_ops', object: 'invoice', customer });
    const cycle = ctx.runtime.use(billingCycle)!;
    assert.deepEqual(await cycle.suspendPastDue(Date.now() + 8 * 24 * 60 * 60_000), [other.id]);
    // An operator resumes it, then suspends it for another reason: that suspension is in force now.
    const operator = await signedInOperator(ctx);
    for (const step of ['resume', 'suspend']) {
      const res = await ctx.call('POST', `/v1/platform/accounts/${other.id}/${step}`, {
        key: operator.token,
        body: {},
      });
      assert.equal(res.status, 200, res.text);
    }
    await postEvent('invoice.paid', { id: 'in_ops_paid', object: 'invoice', customer });
    const refused = await ctx.call('GET', '/v1/customers', { key: other.key });
    assert.equal(refused.status, 403, refused.text);
  });
});
