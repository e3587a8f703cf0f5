// Signing a customer in by text: with an SMS provider configured, a phone number on record (as
// people typed it) gets the code in a text queued in the SMS outbox, while the delivery log shows
// "Sign-in code", never the code. Without a provider, a phone is refused with a clear 422.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountClient, createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { systemQuery } from '../src/db/system-query.ts';

let ctx: TestContext;
let bare: TestContext;
let account: TestAccount;
const { created } = accountClient(
  () => ctx,
  () => account,
);

before(async () => {
  // The relay is never started here: texts stay in the outbox, nothing is dialled.
  ctx = await createTestContext({
    sms: { url: 'http://127.0.0.1:9', accountSid: 'AC0000', authToken: 'token', from: '+15005550006' },
  });
  bare = await createTestContext();
  account = await ctx.newAccount('Texting Plumbers');
});
after(async () => {
  await ctx.close();
  await bare.close();
});

describe('signing in by text', () => {
  test('the code goes by text to the number on record, and opens a session', async () => {
    const customer = await created('customers', { name: 'Texter', phone: '(415) 555-0142' });
    const start = await ctx.call('POST', '/v1/customer/auth/start', {
      body: { account_id: account.id, phone: '+1 415 555 0142' },
    });
    assert.equal(start.status, 202, start.text);
    assert.equal(start.body.data.channel, 'sms');
    const [text] = await systemQuery<{ to_number: string; body: string }>(ctx.db, {
      sql: 'SELECT to_number, body FROM sms_outbox WHERE account_id = $1',
      parameters: [account.id],
    });
    assert.equal(text.to_number, '+14155550142');
    const code = /^(\d{6}) is your Texting Plumbers sign-in code/.exec(text.body)![1];
    const [delivery] = (await ctx.call('GET', '/v1/deliveries', { key: account.key })).body.data;
    assert.equal(delivery.subject, 'Sign-in code');
    assert.ok(!JSON.stringify(delivery).includes(code), 'the delivery log never shows the code');

    const verified = await ctx.call('POST', '/v1/customer/auth/verify', {
      body: { account_id: account.id, phone: '415-555-0142', code },
    });
    assert.equal(verified.status, 422, 'the number is compared as E.164: without a country code it is not one');
    const right = await ctx.call('POST', '/v1/customer/auth/verify', {
      body: { account_id: account.id, phone: '+14155550142', code },
    });
    assert.equal(right.status, 200, right.text);
    assert.equal(right.body.data.customer.id, customer.id);
  });

  test('an unknown number gets the same answer and no text', async () => {
    const start = await ctx.call('POST', '/v1/customer/auth/start', {
      body: { account_id: account.id, phone: '+14155559999' },
    });
    assert.equal(start.status, 202);
    const texts = await systemQuery(ctx.db, {
      sql: "SELECT 1 FROM sms_outbox WHERE account_id = $1 AND to_number = '+14155559999'",
      parameters: [account.id],
    });
    assert.equal(texts.length, 0);
  });

  test('without an SMS provider a phone number is a clear 422', async () => {
    const other = await bare.newAccount('Mail only');
    const start = await bare.call('POST', '/v1/customer/auth/start', {
      body: { account_id: other.id, phone: '+14155550142' },
    });
    assert.equal(start.status, 422);
    assert.equal(start.body.errors[0].path, 'phone');
  });
});
