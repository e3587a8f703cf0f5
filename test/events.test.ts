// The event log: every committed write leaves exactly one event of the right type in the
// same transaction; a rolled-back write leaves none; events list and filter like any resource.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { Fixtures } from './support/fixtures.ts';

const ctxReady = createTestContext();
let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await ctxReady;
  account = await ctx.newAccount();
});
after(async () => (await ctxReady).close());

async function eventsSince(count: number) {
  const all = await ctx.call('GET', '/v1/events?limit=100&count=true', { key: account.key });
  return { total: all.body.page.total as number, newest: all.body.data.slice(0, all.body.page.total - count) as any[] };
}

async function expectEvents(
  types: string[],
  write: () => Promise<{ status: number; text: string; headers?: Headers }>,
) {
  const before = (await eventsSince(0)).total;
  const response = await write();
  assert.ok(response.status < 300, response.text);
  const { newest } = await eventsSince(before);
  assert.deepEqual(newest.map((e) => e.type).reverse(), types);
  return { response, events: newest.reverse() };
}

describe('every write leaves exactly its events', () => {
  test('create, update, action and delete each leave one event carrying the object', async () => {
    const customers = ctx.registry.get('customers');
    const fixtures = new Fixtures(ctx, account);
    const created = await expectEvents(['customer.created'], async () =>
      ctx.call('POST', '/v1/customers', { key: account.key, body: await fixtures.body(customers, 1) }),
    );
    const customer = (created.response as any).body.data;
    assert.deepEqual(created.events[0].data, {
      object: customer,
      actor: { type: 'api_key', id: created.events[0].data.actor.id, on_behalf_of: null },
    });
    assert.match(created.events[0].data.actor.id, /^key_/);
    assert.deepEqual(
      Object.keys(created.events[0].data.object),
      Object.keys(customer),
      'the event shows fields in API order',
    );
    assert.equal(created.events[0].request_id, (created.response as any).headers.get('x-request-id'));

    const updated = await expectEvents(['customer.updated'], () =>
      ctx.call('PATCH', `/v1/customers/${customer.id}`, { key: account.key, body: { name: 'Grace Hopper' } }),
    );
    assert.deepEqual(updated.events[0].data.previous_attributes, { name: customer.name });

    const job = (
      await ctx.call('POST', '/v1/jobs', {
        key: account.key,
        body: { title: 'Inspect boiler', customer_id: customer.id },
      })
    ).body.data;
    const scheduled = await expectEvents(['job.scheduled'], () =>
      ctx.call('POST', `/v1/jobs/${job.id}/schedule`, {
        key: account.key,
        body: { scheduled_start: '2026-12-01T09:00:00Z', scheduled_end: '2026-12-01T10:00:00Z' },
      }),
    );
    assert.deepEqual(scheduled.events[0].data.previous_attributes, {
      status: 'unscheduled',
      scheduled_start: null,
      scheduled_end: null,
    });

    await expectEvents(['job.cancelled'], () =>
      ctx.call('POST', `/v1/jobs/${job.id}/cancel`, { key: account.key, body: { reason: 'Customer away' } }),
    );
    await expectEvents(['job.deleted'], () => ctx.call('DELETE', `/v1/jobs/${job.id}`, { key: account.key }));
  });

  test('a PATCH that changes nothing writes nothing', async () => {
    const customer = (await ctx.call('POST', '/v1/customers', { key: account.key, body: { name: 'Same' } })).body.data;
    await expectEvents([], () =>
      ctx.call('PATCH', `/v1/customers/${customer.id}`, { key: account.key, body: { name: 'Same' } }),
    );
  });

  test('a payment that covers an invoice records the payment, then the invoice as paid', async () => {
    const customer = (
      await ctx.call('POST', '/v1/customers', {
        key: account.key,
        body: { name: 'Payer', email: 'payer@example.test' },
      })
    ).body.data;
    const invoice = (
      await ctx.call('POST', '/v1/invoices', {
        key: account.key,
        body: {
          customer_id: customer.id,
          line_items: [{ description: 'Labour', quantity: 2, unit_amount: 5000 }],
          tax_rate_bps: 825,
        },
      })
    ).body.data;
    assert.deepEqual([invoice.subtotal, invoice.tax, invoice.total, invoice.amount_due], [10000, 825, 10825, 10825]);
    await expectEvents(['invoice.sent'], () =>
      ctx.call('POST', `/v1/invoices/${invoice.id}/send`, { key: account.key }),
    );
    const recorded = await expectEvents(['payment.created', 'invoice.updated'], () =>
      ctx.call('POST', `/v1/invoices/${invoice.id}/payments`, {
        key: account.key,
        body: { amount: 825, method: 'card' },
      }),
    );
    const payment = recorded.events[0].data.object;
    assert.equal(recorded.response.status, 201);
    assert.equal(
      recorded.response.headers?.get('location'),
      `/v1/payments/${payment.id}`,
      'an action that creates says where, as a create does',
    );
    const { events } = await expectEvents(['payment.created', 'invoice.paid'], () =>
      ctx.call('POST', '/v1/payments', {
        key: account.key,
        body: { amount: 10000, method: 'cash', invoice_id: invoice.id },
      }),
    );
    assert.equal(events[1].data.object.status, 'paid');
    assert.equal(events[1].data.object.amount_due, 0);
    assert.equal(events[0].data.object.customer_id, customer.id, "the payment takes the invoice's customer");
  });

  const refundTitle =
    'a refund reaches its invoice: the amount is owed again, it reopens, and once all is refunded it can be voided';
  test(refundTitle, async () => {
    const call = (method: string, path: string, body?: unknown) => ctx.call(method, path, { key: account.key, body });
    const customer = (await call('POST', '/v1/customers', { name: 'Refunded', email: 'r@example.test' })).body.data;
    const invoice = (
      await call('POST', '/v1/invoices', {
        customer_id: customer.id,
        line_items: [{ description: 'Labour', quantity: 1, unit_amount: 10000 }],
      })
    ).body.data;
    await call('POST', `/v1/invoices/${invoice.id}/send`);
    const first = (await call('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 4000, method: 'card' })).body
      .data;
    const second = (await call('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 6000, method: 'cash' })).body
      .data;
    assert.equal((await call('GET', `/v1/invoices/${invoice.id}`)).body.data.status, 'paid');

    const reopened = await expectEvents(['invoice.reopened', 'payment.refunded'], () =>
      call('POST', `/v1/payments/${second.id}/refund`, { reason: 'Wrong amount' }),
    );
    const owed = reopened.events[0].data.object;
    assert.deepEqual([owed.status, owed.amount_paid, owed.amount_due, owed.paid_at], ['open', 4000, 6000, null]);
    assert.equal((await call('POST', `/v1/invoices/${invoice.id}/void`)).status, 409, 'money is still on it');

    const cleared = await expectEvents(['invoice.updated', 'payment.refunded'], () =>
      call('POST', `/v1/payments/${first.id}/refund`),
    );
    assert.deepEqual([cleared.events[0].data.object.amount_paid, cleared.events[0].data.object.amount_due], [0, 10000]);
    const voided = await call('POST', `/v1/invoices/${invoice.id}/void`);
    assert.equal(voided.status, 200, voided.text);
    assert.equal(voided.body.data.status, 'void');
  });
});

describe('a write that fails leaves no event and no row', () => {
  test('a bulk request whose last item fails rolls back the items before it', async () => {
    const before = await eventsSince(0);
    const customersBefore = (await ctx.call('GET', '/v1/customers?count=true&limit=1', { key: account.key })).body.page
      .total;
    const response = await ctx.call('POST', '/v1/customers/bulk', {
      key: account.key,
      body: {
        operations: [
          { action: 'create', data: { name: 'One' } },
          { action: 'create', data: { name: 'Two' } },
          { action: 'delete', id: 'cus_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB' },
        ],
      },
    });
    assert.equal(response.status, 404, response.text);
    assert.equal(response.body.errors[0].index, 2);
    assert.equal((await eventsSince(0)).total, before.total);
    assert.equal(
      (await ctx.call('GET', '/v1/customers?count=true&limit=1', { key: account.key })).body.page.total,
      customersBefore,
    );
  });

  test('a create whose reference fails at commit leaves nothing', async () => {
    const before = await eventsSince(0);
    const response = await ctx.call('POST', '/v1/jobs', {
      key: account.key,
      body: { title: 'Orphan', customer_id: 'cus_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB' },
    });
    assert.equal(response.status, 422);
    assert.deepEqual(response.body.errors, [
      { path: 'customer_id', message: "No such customer: 'cus_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB'" },
    ]);
    assert.equal((await eventsSince(0)).total, before.total);
  });

  test('a successful bulk request answers per item and leaves one event per item', async () => {
    const { response } = await expectEvents(['customer.created', 'customer.created'], () =>
      ctx.call('POST', '/v1/customers/bulk', {
        key: account.key,
        body: {
          operations: [
            { action: 'create', data: { name: 'Bulk A' } },
            { action: 'create', data: { name: 'Bulk B' } },
          ],
        },
      }),
    );
    assert.deepEqual(
      (response as any).body.data.map((r: any) => [r.index, r.action, r.status, r.data.name]),
      [
        [0, 'create', 201, 'Bulk A'],
        [1, 'create', 201, 'Bulk B'],
      ],
    );
  });
});

describe('GET /v1/events', () => {
  test('filters by type and created_at, and fetches one event by id', async () => {
    const created = await ctx.call('GET', '/v1/events?type=customer.created&limit=100', { key: account.key });
    assert.ok(created.body.data.length > 0);
    assert.ok(created.body.data.every((e: any) => e.type === 'customer.created'));
    const prefixed = await ctx.call('GET', '/v1/events?type[starts_with]=invoice.&limit=100', { key: account.key });
    assert.deepEqual([...new Set(prefixed.body.data.map((e: any) => e.type))].sort(), [
      'invoice.created',
      'invoice.paid',
      'invoice.reopened',
      'invoice.sent',
      'invoice.updated',
      'invoice.voided',
    ]);
    const future = await ctx.call('GET', '/v1/events?created_at[gt]=2999-01-01', { key: account.key });
    assert.deepEqual(future.body.data, []);
    const one = await ctx.call('GET', `/v1/events/${created.body.data[0].id}`, { key: account.key });
    assert.deepEqual(one.body.data, created.body.data[0]);
  });

  test('events cannot be written through the API', async () => {
    assert.equal(
      (await ctx.call('POST', '/v1/events', { key: account.key, body: { type: 'customer.created' } })).status,
      405,
    );
    const event = (await ctx.call('GET', '/v1/events?limit=1', { key: account.key })).body.data[0];
    assert.equal((await ctx.call('DELETE', `/v1/events/${event.id}`, { key: account.key })).status, 405);
  });
});
