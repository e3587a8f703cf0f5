// Dunning: an open invoice past its due date (in the account's time zone) turns overdue with an
// `invoice.overdue` event, and its customer is mailed the reminders the account set, each once,
// by a sweep that one node of the group runs per round.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { systemQuery } from '../src/db/system-query.ts';
import { PeriodicJob } from '../src/platform/jobs/periodic-job.ts';
import { invoiceDunning } from '../src/delivery/delivery-module.ts';
import { accountClient, createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';

let ctx: TestContext;
let account: TestAccount;
const { call, created } = accountClient(
  () => ctx,
  () => account,
);

before(async () => {
  ctx = await createTestContext();
  account = await ctx.newAccount('Harbour Plumbing');
  const branding = await call('PATCH', '/v1/account/branding', {
    time_zone: 'America/Los_Angeles',
    overdue_reminder_days: [7, 3],
  });
  assert.equal(branding.status, 200, branding.text);
  assert.deepEqual(branding.body.data.overdue_reminder_days, [3, 7], 'kept in order');
});
after(() => ctx.close());

/** The sweep at `at` (an ISO instant), over this suite's account only. */
const sweep = (at: string) => ctx.runtime.use(invoiceDunning).sweep({ now: Date.parse(at), accountIds: [account.id] });

async function sentInvoice(due: string, customer: Record<string, unknown> = { email: 'ada@example.test' }) {
  const owner = await created('customers', { name: 'Ada Lovelace', ...customer });
  const invoice = await created('invoices', {
    customer_id: owner.id,
    currency: 'USD',
    due_date: due,
    line_items: [{ description: 'Leak repair', quantity: 1, unit_amount: 25_000 }],
  });
  const sent = await call('POST', `/v1/invoices/${invoice.id}/send`, { to: ['ada@example.test'] });
  assert.equal(sent.status, 200, sent.text);
  return invoice.id as string;
}

const statusOf = async (id: string) => (await call('GET', `/v1/invoices/${id}`)).body.data.status;

/** The reminder mails of an invoice, oldest first. */
const reminders = (invoiceId: string) =>
  systemQuery(ctx.db, {
    sql: `SELECT m.subject, m.text_body, m.to_addresses, jsonb_array_length(m.attachments) AS attachments, d.status
            FROM mail_outbox m JOIN deliveries d ON d.id = m.delivery_id
           WHERE d.account_id = $1 AND d.resource_id = $2 AND m.subject LIKE 'Reminder:%' ORDER BY m.created_at`,
    parameters: [account.id, invoiceId],
  });

describe('overdue invoices', () => {
  test("turn overdue the day after they are due, in the account's time zone, with invoice.overdue", async () => {
    const id = await sentInvoice('2026-03-10');
    // 2026-03-11 01:00 UTC is still the 10th in Los Angeles: due today, not late.
    assert.deepEqual(await sweep('2026-03-11T01:00:00Z'), { overdue: 0, reminded: 0, unreachable: 0 });
    assert.equal(await statusOf(id), 'open');
    assert.deepEqual(await sweep('2026-03-11T09:00:00Z'), { overdue: 1, reminded: 0, unreachable: 0 });
    assert.equal(await statusOf(id), 'overdue');
    const events = (await call('GET', '/v1/events?type=invoice.overdue')).body.data;
    assert.deepEqual(
      events.filter((event: any) => event.data.object.id === id).map((event: any) => event.data.object.status),
      ['overdue'],
    );
    // Swept again: nothing more happens.
    assert.deepEqual(await sweep('2026-03-11T10:00:00Z'), { overdue: 0, reminded: 0, unreachable: 0 });
  });

  test('stay payable: a partial payment keeps them overdue, a full one pays them; they can be voided', async () => {
    const paid = await sentInvoice('2026-03-10');
    const voided = await sentInvoice('2026-03-10');
    await sweep('2026-03-12T12:00:00Z');
    const part = await call('POST', `/v1/invoices/${paid}/payments`, {
      amount: 5_000,
      currency: 'USD',
      method: 'card',
    });
    assert.equal(part.status, 201, part.text);
    assert.equal(await statusOf(paid), 'overdue');
    const rest = await call('POST', `/v1/invoices/${paid}/payments`, {
      amount: 20_000,
      currency: 'USD',
      method: 'card',
    });
    assert.equal(rest.status, 201, rest.text);
    assert.equal(await statusOf(paid), 'paid');
    assert.equal((await call('POST', `/v1/invoices/${voided}/void`)).status, 200);
    assert.equal(await statusOf(voided), 'void');
    // Neither is reminded later.
    await sweep('2026-03-20T12:00:00Z');
    assert.deepEqual(await reminders(paid), []);
    assert.deepEqual(await reminders(voided), []);
  });
});

describe('reminders', () => {
  test('go on the days set after the due date, each once, with the invoice attached', async () => {
    const id = await sentInvoice('2026-04-01');
    await sweep('2026-04-02T12:00:00Z'); // overdue, no reminder yet
    assert.deepEqual(await reminders(id), []);
    assert.equal((await sweep('2026-04-04T12:00:00Z')).reminded, 1, '3 days after');
    assert.equal((await sweep('2026-04-04T18:00:00Z')).reminded, 0, 'not twice');
    assert.equal((await sweep('2026-04-06T12:00:00Z')).reminded, 0, 'nothing between');
    assert.equal((await sweep('2026-04-08T12:00:00Z')).reminded, 1, '7 days after');
    assert.equal((await sweep('2026-05-30T12:00:00Z')).reminded, 0, 'no step after the last');
    const mails = await reminders(id);
    assert.deepEqual(
      mails.map((mail) => mail.subject),
      [`Reminder: invoice ${id} is 3 days overdue`, `Reminder: invoice ${id} is 7 days overdue`],
    );
    assert.deepEqual(mails[0].to_addresses, ['ada@example.test'], "the customer's address");
    assert.equal(mails[0].attachments, 1, 'the PDF');
    assert.match(mails[0].text_body, /due on 1 Apr 2026, still has USD\s250\.00 to pay/);
    assert.match(mails[0].text_body, /\/v1\/documents\//, 'and its link');
    assert.equal(mails[0].status, 'queued', 'logged as a delivery');
  });

  test('several due at once (the server was down): only the latest goes', async () => {
    const id = await sentInvoice('2026-05-01');
    assert.deepEqual(await sweep('2026-05-20T12:00:00Z'), { overdue: 1, reminded: 1, unreachable: 0 });
    assert.deepEqual(
      (await reminders(id)).map((mail) => mail.subject),
      [`Reminder: invoice ${id} is 19 days overdue`],
    );
    assert.equal((await sweep('2026-05-21T12:00:00Z')).reminded, 0);
  });

  test('a customer without an address is counted unreachable once, and nothing is mailed', async () => {
    const id = await sentInvoice('2026-06-01', { email: null });
    assert.deepEqual(await sweep('2026-06-05T12:00:00Z'), { overdue: 1, reminded: 0, unreachable: 1 });
    assert.deepEqual(await sweep('2026-06-06T12:00:00Z'), { overdue: 0, reminded: 0, unreachable: 0 });
    assert.deepEqual(await reminders(id), []);
  });

  test('are set in the branding: 1 to 365 days, at most 5, each once', async () => {
    for (const days of [[0], [3, 3], [1, 2, 3, 4, 5, 6], [400], ['3']]) {
      const response = await call('PATCH', '/v1/account/branding', { overdue_reminder_days: days });
      assert.equal(response.status, 422, JSON.stringify(days));
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
    }
    const kept = await call('GET', '/v1/account/branding');
    assert.deepEqual(kept.body.data.overdue_reminder_days, [3, 7], 'bad input changed nothing');
  });
});

describe('the sweep schedule', () => {
  test('one node runs each round: a second node at the same time skips it, the next interval is claimed', async () => {
    const runs: string[] = [];
    const node = (name: string) =>
      new PeriodicJob(ctx.db, ctx.runtime.logger, {
        name: `test-round-${account.id}`,
        everyMs: 60_000,
        run: async () => void runs.push(name),
      });
    const [first, second] = [node('first'), node('second')];
    const start = Date.parse('2026-07-01T00:00:00Z');
    assert.equal(await first.runIfDue(start), true);
    assert.equal(await second.runIfDue(start + 1_000), false);
    assert.equal(await second.runIfDue(start + 60_000), true);
    assert.equal(await first.runIfDue(start + 61_000), false);
    assert.deepEqual(runs, ['first', 'second']);
  });
});
