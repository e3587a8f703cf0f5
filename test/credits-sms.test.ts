// Prepaid credits paying for texts: a metered account's text is debited (one credit a segment) in
// the transaction that queues it; a short balance answers 402 and nothing reaches the provider,
// played here by a local server speaking Twilio's Messages API on 127.0.0.1. Concurrent senders
// never take the balance below zero; a text the provider refuses gives its credits back;
// background work fails the text instead of answering 402.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accountClient, createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { smsRelay } from '../src/delivery/delivery-module.ts';
import { queueSms } from '../src/delivery/sms/sms-outbox.ts';
import { changeCredits } from '../src/credits/credit-ledger.ts';
import { NO_CREDITS_ERROR } from '../src/credits/sms-credits.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { withTenantTransaction } from '../src/db/tenant-transaction.ts';
import { createOperationContext } from '../src/platform/operations/operation-context.ts';
import { accountPrincipal } from '../src/platform/operations/principal.ts';

const SID = 'AC0123456789abcdef0123456789abcdef';
/** What the provider received, by number; numbers in `refuse` get Twilio's invalid-number answer. */
const received: { to: string; body: string }[] = [];
const refuse = new Set<string>();
let provider: Server;

let ctx: TestContext;
let account: TestAccount;
const { call, created } = accountClient(
  () => ctx,
  () => account,
);

before(async () => {
  provider = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => {
      const form = new URLSearchParams(raw);
      const to = form.get('To') ?? '';
      const reply = (status: number, body: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (refuse.has(to)) return reply(400, { code: 21211, message: `The 'To' number ${to} is not valid.` });
      received.push({ to, body: form.get('Body') ?? '' });
      reply(201, { sid: `SM${String(received.length).padStart(32, '0')}`, status: 'queued', to });
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  ctx = await createTestContext({ sms: { url, accountSid: SID, authToken: 'token-0123456789', from: '+15005550006' } });
});
after(async () => {
  await ctx.close();
  await new Promise<void>((resolve) => provider.close(() => resolve()));
});

async function meteredAccount(name: string, credits: number) {
  account = await ctx.newAccount(name);
  const entry = await changeCredits(ctx.db, account.id, { amount: credits, reason: 'grant', actor: 'system' });
  assert.equal(Number(entry?.balance_after), credits);
  return account;
}

async function smsThread(phone: string) {
  const contact = await created('contacts', { first_name: 'Sam', phone });
  return created('conversations', { channel: 'sms', contact_id: contact.id });
}

const send = (threadId: string, body = 'Your technician is on the way.') =>
  call('POST', '/v1/messages/send', { conversation_id: threadId, body });

async function credits() {
  const response = await call('GET', '/v1/billing/credits?limit=100');
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}

async function countRows(table: string, accountId: string): Promise<number> {
  const [row] = await systemQuery(ctx.db, {
    sql: `SELECT count(*) AS n FROM ${table} WHERE account_id = $1`,
    parameters: [accountId],
  });
  return Number(row.n);
}

const ledgerSum = (data: any) => data.ledger.reduce((sum: number, entry: any) => sum + entry.delta, 0);

describe('texts paid by credits', () => {
  test('an account without credits sends as before and is shown unmetered', async () => {
    account = await ctx.newAccount('Quota Only Co');
    const thread = await smsThread('+1 415 555 0201');
    assert.equal((await send(thread.id)).status, 200);
    const data = await credits();
    assert.deepEqual([data.metered, data.balance, data.ledger.length], [false, 0, 0]);
  });

  test('each segment costs a credit; at zero the send is 402 and nothing is queued or sent', async () => {
    await meteredAccount('Three Credits Co', 3);
    const thread = await smsThread('+1 415 555 0202');
    assert.equal((await send(thread.id)).status, 200);
    // 200 GSM characters: two segments of 153.
    assert.equal((await send(thread.id, 'x'.repeat(200))).status, 200);
    const spent = await credits();
    assert.deepEqual([spent.metered, spent.balance], [true, 0]);
    assert.deepEqual(
      spent.ledger.map((e: any) => [e.reason, e.feature, e.delta, e.balance_after]),
      [
        ['consume', 'sms', -2, 0],
        ['consume', 'sms', -1, 2],
        ['grant', null, 3, 3],
      ],
    );
    assert.match(spent.ledger[0].reference, /^sms_/);
    assert.match(spent.ledger[0].actor, /^api_key:/);

    const outboxBefore = await countRows('sms_outbox', account.id);
    const messagesBefore = await countRows('messages', account.id);
    const refused = await send(thread.id, 'One more?');
    const problem = assertProblem(refused, 402, 'payment_required');
    assert.equal(problem.balance, 0);
    assert.equal(problem.required, 1);
    assert.equal(problem.top_up_url, 'http://localhost:3000/v1/billing/credits/top-up');
    assert.equal(await countRows('sms_outbox', account.id), outboxBefore, 'no text queued');
    assert.equal(await countRows('messages', account.id), messagesBefore, 'no message recorded');

    await ctx.runtime.use(smsRelay).deliver();
    const texts = received.filter((r) => r.to === '+14155550202');
    assert.deepEqual(
      texts.map((t) => t.body),
      ['Your technician is on the way.', 'x'.repeat(200)],
      'the provider received only what was paid for',
    );
    assert.equal((await credits()).balance, 0);
  });

  test('20 concurrent sends on a balance of 5: exactly 5 sent, balance 0, the ledger adds up', async () => {
    await meteredAccount('Five Credits Co', 5);
    const thread = await smsThread('+1 415 555 0203');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => send(thread.id, `Update ${i}`)));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [...Array(5).fill(200), ...Array(15).fill(402)], results.map((r) => r.text).join());
    const data = await credits();
    assert.equal(data.balance, 0);
    assert.equal(ledgerSum(data), 0);
    assert.equal(data.ledger.filter((e: any) => e.reason === 'consume').length, 5);
    await ctx.runtime.use(smsRelay).deliver();
    assert.equal(received.filter((r) => r.to === '+14155550203').length, 5);
  });

  test('a text the provider refuses gives its credits back, once', async () => {
    await meteredAccount('Refund Co', 2);
    refuse.add('+14155550204');
    const thread = await smsThread('+1 415 555 0204');
    assert.equal((await send(thread.id)).status, 200);
    assert.equal((await credits()).balance, 1);
    await ctx.runtime.use(smsRelay).deliver();
    await ctx.runtime.use(smsRelay).deliver();
    const data = await credits();
    assert.equal(data.balance, 2);
    assert.deepEqual(
      data.ledger.map((e: any) => [e.reason, e.delta, e.balance_after]),
      [
        ['refund', 1, 2],
        ['consume', -1, 1],
        ['grant', 2, 2],
      ],
    );
    assert.equal(data.ledger[0].reference, data.ledger[1].reference);
  });

  test('background work with no credits fails the text with the reason instead of a 402', async () => {
    const { id } = await meteredAccount('Background Co', 0);
    const deliveryId = await withTenantTransaction(ctx.db, id, async (tx) => {
      const operation = createOperationContext(tx, accountPrincipal(id), ctx.runtime, 'req_test');
      return queueSms(operation, { to: '+14155550205', body: 'Campaign text' });
    });
    const delivery = (await call('GET', `/v1/deliveries/${deliveryId}`)).body.data;
    assert.deepEqual([delivery.status, delivery.error], ['failed', NO_CREDITS_ERROR]);
    assert.equal(await countRows('sms_outbox', id), 0);
    await ctx.runtime.use(smsRelay).deliver();
    assert.equal(received.filter((r) => r.to === '+14155550205').length, 0);
  });

  test('the ledger pages newest first; a foreign cursor is a 400', async () => {
    await meteredAccount('Pages Co', 4);
    const thread = await smsThread('+1 415 555 0206');
    for (let i = 0; i < 3; i++) assert.equal((await send(thread.id, `Page ${i}`)).status, 200);
    const first = await call('GET', '/v1/billing/credits?limit=2');
    assert.deepEqual(
      first.body.data.ledger.map((e: any) => e.balance_after),
      [1, 2],
    );
    assert.equal(first.body.data.ledger_page.has_more, true);
    const cursor = first.body.data.ledger_page.next_cursor;
    const second = await call('GET', `/v1/billing/credits?limit=2&cursor=${cursor}`);
    assert.deepEqual(
      second.body.data.ledger.map((e: any) => e.balance_after),
      [3, 4],
    );
    assert.equal(second.body.data.ledger_page.has_more, false);
    assertProblem(await call('GET', '/v1/billing/credits?cursor=job_nope'), 400, 'bad_request');
    assertProblem(await call('GET', '/v1/billing/credits?limit=0'), 400, 'bad_request');
  });
});
