// Estimates and quotes: invoice money rules, send/accept/decline/revise, expiry, and a quote's
// way to a job and an invoice with the same lines, each exactly once.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { assertNames, assertProblem } from './support/problem-assertions.ts';

let ctx: TestContext;
let account: TestAccount;
let customerId: string;
before(async () => {
  ctx = await createTestContext();
});
after(async () => {
  await ctx.close();
});
beforeEach(async () => {
  account = await ctx.newAccount('Quotes Co');
  customerId = (await call('POST', '/v1/customers', { name: 'Ada', email: 'ada@example.test' })).body.data.id;
});

const { call } = accountClient(
  () => ctx,
  () => account,
);
const LINES = [
  { description: 'Boiler', quantity: 1, unit_amount: 250_000 },
  { description: 'Labour hour', quantity: 3, unit_amount: 3333 },
];
const dayFromToday = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

async function offer(collection: 'quotes' | 'estimates', body: Record<string, unknown> = {}) {
  const created = await call('POST', `/v1/${collection}`, {
    customer_id: customerId,
    title: 'New boiler',
    line_items: LINES,
    tax_rate_bps: 825,
    ...body,
  });
  assert.equal(created.status, 201, created.text);
  return created.body.data;
}

async function act(collection: string, id: string, action: string, body: unknown = {}) {
  const response = await call('POST', `/v1/${collection}/${id}/${action}`, body);
  assert.equal(response.status, 200, `${action}: ${response.text}`);
  return response.body.data;
}

describe('estimates and quotes', () => {
  test(
    'totals follow the invoice rules: integer minor units, ' + 'tax rounded once on the subtotal, recomputed on edit',
    async () => {
      const quote = await offer('quotes');
      assert.deepEqual([quote.subtotal, quote.tax, quote.total, quote.status], [259_999, 21_450, 281_449, 'draft']);
      const edited = (await call('PATCH', `/v1/quotes/${quote.id}`, { tax_rate_bps: 0 })).body.data;
      assert.deepEqual([edited.tax, edited.total], [0, 259_999]);
      assertNames(
        assertProblem(
          await call('POST', '/v1/estimates', {
            customer_id: customerId,
            title: 'x',
            line_items: [{ description: 'x', quantity: 1, unit_amount: 9.5 }],
          }),
          422,
          'validation_failed',
        ),
        'line_items.0.unit_amount',
      );
    },
  );

  test('send, decline with a reason, revise and send again, accept; a sent quote is not editable', async () => {
    const estimate = await offer('estimates');
    assert.ok((await act('estimates', estimate.id, 'send')).sent_at);
    assertProblem(await call('PATCH', `/v1/estimates/${estimate.id}`, { title: 'Changed' }), 409, 'conflict');
    const declined = await act('estimates', estimate.id, 'decline', { reason: 'Too expensive' });
    assert.deepEqual([declined.status, declined.decline_reason], ['declined', 'Too expensive']);
    const revised = await act('estimates', estimate.id, 'revise');
    assert.deepEqual([revised.status, revised.decline_reason, revised.sent_at], ['draft', null, null]);
    await call('PATCH', `/v1/estimates/${estimate.id}`, { line_items: [LINES[1]] });
    await act('estimates', estimate.id, 'send');
    const accepted = await act('estimates', estimate.id, 'accept');
    assert.deepEqual([accepted.status, accepted.total], ['accepted', 10_824]);
    const types = (await call('GET', '/v1/events?limit=20&sort=created_at')).body.data
      .map((e: any) => e.type)
      .filter((t: string) => t.startsWith('estimate.'));
    assert.deepEqual(types, [
      'estimate.created',
      'estimate.sent',
      'estimate.declined',
      'estimate.revised',
      'estimate.updated',
      'estimate.sent',
      'estimate.accepted',
    ]);
  });

  test('an empty offer cannot be sent; an expired one cannot be sent or accepted', async () => {
    const empty = await offer('quotes', { line_items: [] });
    assertNames(
      assertProblem(await call('POST', `/v1/quotes/${empty.id}/send`, {}), 422, 'validation_failed'),
      'line_items',
    );
    const lapsed = await offer('quotes', { valid_until: dayFromToday(-1) });
    assertProblem(await call('POST', `/v1/quotes/${lapsed.id}/send`, {}), 409, 'conflict');
    const today = await offer('quotes', { valid_until: dayFromToday(0) });
    await act('quotes', today.id, 'send');
    assert.equal((await act('quotes', today.id, 'accept')).status, 'accepted', 'valid through its last day');
  });

  test('an accepted estimate converts into a draft quote with the same lines', async () => {
    const estimate = await offer('estimates', { notes: 'Access via the side gate' });
    await act('estimates', estimate.id, 'send');
    await act('estimates', estimate.id, 'accept');
    const converted = await act('estimates', estimate.id, 'convert');
    const quote = (await call('GET', `/v1/quotes/${converted.quote_id}`)).body.data;
    assert.deepEqual(
      [quote.status, quote.customer_id, quote.line_items, quote.total, quote.notes],
      ['draft', customerId, LINES, estimate.total, 'Access via the side gate'],
    );
    assertProblem(await call('POST', `/v1/estimates/${estimate.id}/convert`, {}), 409, 'invalid_state_transition');
  });

  test('an accepted quote becomes a job, then an invoice with the same lines, each once', async () => {
    const quote = await offer('quotes');
    assertProblem(await call('POST', `/v1/quotes/${quote.id}/convert`, {}), 409, 'invalid_state_transition');
    await act('quotes', quote.id, 'send');
    await act('quotes', quote.id, 'accept');
    const converted = await act('quotes', quote.id, 'convert', { priority: 'high' });
    const job = (await call('GET', `/v1/jobs/${converted.job_id}`)).body.data;
    assert.deepEqual(
      [converted.status, job.title, job.customer_id, job.priority, job.status],
      ['converted', 'New boiler', customerId, 'high', 'unscheduled'],
    );

    const invoiced = await act('quotes', quote.id, 'invoice');
    const invoice = (await call('GET', `/v1/invoices/${invoiced.invoice_id}`)).body.data;
    assert.deepEqual(
      [invoice.status, invoice.customer_id, invoice.job_id, invoice.line_items, invoice.total],
      ['draft', customerId, job.id, LINES, quote.total],
    );
    assertProblem(await call('POST', `/v1/quotes/${quote.id}/invoice`, {}), 409, 'conflict');
    assert.equal((await call('GET', '/v1/invoices?count=true&limit=1')).body.page.total, 1);
  });

  test('a quote written for an existing job converts onto that job instead of making another', async () => {
    const job = (await call('POST', '/v1/jobs', { title: 'Survey', customer_id: customerId })).body.data;
    const quote = await offer('quotes', { job_id: job.id });
    await act('quotes', quote.id, 'send');
    await act('quotes', quote.id, 'accept');
    assert.equal((await act('quotes', quote.id, 'convert')).job_id, job.id);
    assert.equal((await call('GET', '/v1/jobs?count=true&limit=1')).body.page.total, 1);
  });
});
