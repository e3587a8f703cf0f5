// Texts that leave: a conversation's SMS goes through the SMS outbox to a provider speaking
// Twilio's Messages API, played here by a local HTTP server on 127.0.0.1 that records what it
// receives; its status callbacks come back signed as Twilio signs them. The relay sends each
// text once: a refusal is final, an outage is retried, and a text whose send was cut off (a
// node that died mid-call) is never sent again but settled by its callback.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { accountClient, createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { assertNames, assertProblem } from './support/problem-assertions.ts';
import { smsRelay } from '../src/delivery/delivery-module.ts';
import { SmsRelay } from '../src/delivery/sms/sms-relay.ts';
import { twilioProvider } from '../src/delivery/sms/sms-provider.ts';
import { systemQuery } from '../src/db/system-query.ts';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'test-auth-token-0123456789';
const FROM = '+15005550006';

interface ReceivedText {
  to: string;
  from: string;
  body: string;
  statusCallback: string;
  authorization: string | undefined;
}

/** The provider: what it received, and how it answers each number. */
const received: ReceivedText[] = [];
const answers = new Map<string, 'refuse' | 'unsubscribed' | 'busy-once' | 'hang'>();
const hanging: ServerResponse[] = [];
let provider: Server;

function handleProvider(request: IncomingMessage, response: ServerResponse): void {
  let raw = '';
  request.on('data', (chunk) => (raw += chunk));
  request.on('end', () => {
    const form = new URLSearchParams(raw);
    const reply = (status: number, body: unknown) =>
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.url !== `/2010-04-01/Accounts/${SID}/Messages.json`) return reply(404, { message: 'not found' });
    const to = form.get('To') ?? '';
    const mode = answers.get(to);
    if (mode === 'busy-once') {
      answers.delete(to);
      return reply(503, { code: 20503, message: 'Service unavailable' });
    }
    if (mode === 'refuse')
      return reply(400, { code: 21211, message: `The 'To' number ${to} is not a valid phone number.` });
    if (mode === 'unsubscribed')
      return reply(400, { code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    received.push({
      to,
      from: form.get('From') ?? '',
      body: form.get('Body') ?? '',
      statusCallback: form.get('StatusCallback') ?? '',
      authorization: request.headers.authorization,
    });
    if (mode === 'hang') return void hanging.push(response);
    reply(201, { sid: `SM${received.length.toString().padStart(32, '0')}`, status: 'queued', to });
  });
}

let ctx: TestContext;
let account: TestAccount;
const { call, created } = accountClient(
  () => ctx,
  () => account,
);

before(async () => {
  provider = createServer(handleProvider);
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  ctx = await createTestContext({ sms: { url, accountSid: SID, authToken: TOKEN, from: FROM } });
  account = await ctx.newAccount('Texting Co');
});
after(async () => {
  for (const response of hanging) response.destroy();
  await ctx.close();
  await new Promise<void>((resolve) => provider.close(() => resolve()));
});

/** A relay whose provider call is cut off (200 ms timeout): the node "dies" mid-call. */
const dyingRelay = () =>
  new SmsRelay(ctx.db, pino({ level: 'silent' }), {
    provider: twilioProvider({ ...ctx.runtime.options.sms!, timeoutMs: 200 }),
    callbackUrl: (id) => `http://localhost:3000/v1/sms/status/${id}`,
  });

/** Twilio's documented signature, computed here independently of the server's code. */
function signed(url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((text, name) => text + name + params[name], url);
  return createHmac('sha1', TOKEN).update(data).digest('base64');
}

/** The provider posts a status callback to the URL a text named. */
async function callback(url: string, params: Record<string, string>, signature = signed(url, params)) {
  const response = await ctx.app.request(new URL(url).pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function textTo(phone: string, body = 'Your technician is on the way.') {
  const contact = await created('contacts', { first_name: 'Sam', phone });
  const thread = await created('conversations', { channel: 'sms', contact_id: contact.id });
  const sent = await call('POST', '/v1/messages/send', { conversation_id: thread.id, body });
  assert.equal(sent.status, 200, sent.text);
  return sent.body.data as Record<string, any>;
}

const deliveryOf = async (message: Record<string, any>) =>
  (await call('GET', `/v1/deliveries/${message.channel_reference}`)).body.data;
const messageStatus = async (message: Record<string, any>) =>
  (await call('GET', `/v1/messages/${message.id}`)).body.data.status;
const eventsOf = async (deliveryId: string) =>
  (await call('GET', '/v1/events?type[starts_with]=delivery.&limit=100')).body.data
    .filter((event: any) => event.data.object.id === deliveryId)
    .map((event: any) => event.type)
    .reverse();

describe('SMS through the provider', () => {
  const title = 'a text is queued, sent once to the E.164 number with basic auth and a status callback, then delivered';
  test(title, async () => {
    const message = await textTo('+1 (415) 555-0101');
    assert.equal(message.status, 'queued');
    assert.equal((await deliveryOf(message)).status, 'queued');

    const relay = ctx.runtime.use(smsRelay);
    // Other suites may queue texts in a shared database: count only this one.
    assert.ok((await relay.deliver()) >= 1);
    await relay.deliver();
    const texts = received.filter((r) => r.to === '+14155550101');
    assert.equal(texts.length, 1, 'sent once, however often the relay runs');
    const [text] = texts;
    assert.deepEqual([text.from, text.body], [FROM, 'Your technician is on the way.']);
    assert.equal(text.authorization, `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);
    assert.match(text.statusCallback, /^http:\/\/localhost:3000\/v1\/sms\/status\/sms_/);

    const sent = await deliveryOf(message);
    assert.deepEqual([sent.status, sent.recipient, sent.attempts], ['sent', '+14155550101', 1]);
    assert.match(sent.provider_id, /^SM/);
    assert.equal(await messageStatus(message), 'sent');

    const delivered = await callback(text.statusCallback, { MessageSid: sent.provider_id, MessageStatus: 'delivered' });
    assert.deepEqual([delivered.status, delivered.body.data.status], [200, 'delivered']);
    // A late `sent` (callbacks may cross) does not move it back.
    await callback(text.statusCallback, { MessageSid: sent.provider_id, MessageStatus: 'sent' });
    const final = await deliveryOf(message);
    assert.equal(final.status, 'delivered');
    assert.ok(final.delivered_at);
    assert.deepEqual(await eventsOf(sent.id), ['delivery.sent', 'delivery.delivered']);
  });

  test('a forged or unsigned status callback is refused and changes nothing', async () => {
    const message = await textTo('+1 415 555 0102');
    await ctx.runtime.use(smsRelay).deliver();
    const [text] = received.filter((r) => r.to === '+14155550102');
    const params = { MessageSid: 'SMforged', MessageStatus: 'failed' };
    assertProblem(await callbackRaw(text.statusCallback, params, 'bm90IGEgc2lnbmF0dXJl'), 400, 'invalid_signature');
    assertProblem(await callbackRaw(text.statusCallback, params, ''), 400, 'invalid_signature');
    // Signed for another text's URL: the signature covers the URL.
    const other = text.statusCallback.replace(/sms_\w+$/, 'sms_01M90000000000000000000000');
    assertProblem(await callbackRaw(text.statusCallback, params, signed(other, params)), 400, 'invalid_signature');
    assert.equal((await deliveryOf(message)).status, 'sent');
  });

  test('a number the provider refuses fails at once; an outage is retried later', async () => {
    answers.set('+14155550103', 'refuse');
    answers.set('+14155550104', 'busy-once');
    const refused = await textTo('+1 415 555 0103');
    const delayed = await textTo('+1 415 555 0104');
    const relay = ctx.runtime.use(smsRelay);
    const now = Date.now();
    await relay.deliver(now);

    const failed = await deliveryOf(refused);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error, /21211/);
    assert.equal(await messageStatus(refused), 'failed');
    assert.deepEqual(await eventsOf(failed.id), ['delivery.failed']);

    const waiting = await deliveryOf(delayed);
    assert.deepEqual([waiting.status, waiting.attempts], ['queued', 1]);
    assert.match(waiting.error, /503/);
    await relay.deliver(now);
    assert.equal((await deliveryOf(delayed)).attempts, 1, 'not due yet');
    await relay.deliver(now + 60_000);
    assert.deepEqual([(await deliveryOf(delayed)).status, (await deliveryOf(delayed)).attempts], ['sent', 2]);
  });

  test('a text whose send was cut off is never sent again; its status callback settles it', async () => {
    answers.set('+14155550105', 'hang');
    const message = await textTo('+1 415 555 0105');
    // A relay whose provider call never answers: this node "dies" mid-call.
    const dying = dyingRelay();
    await dying.deliver();
    assert.equal(received.filter((r) => r.to === '+14155550105').length, 1, 'the provider has it');
    const inDoubt = await deliveryOf(message);
    assert.equal(inDoubt.status, 'queued');

    // Another node's relay (or this one after a restart) leaves it alone.
    await ctx.runtime.use(smsRelay).deliver(Date.now() + 600_000);
    assert.equal(received.filter((r) => r.to === '+14155550105').length, 1, 'sent exactly once');

    const [text] = received.filter((r) => r.to === '+14155550105');
    await callback(text.statusCallback, { MessageSid: 'SMsettled', MessageStatus: 'sent' });
    const settled = await deliveryOf(message);
    assert.deepEqual([settled.status, settled.provider_id], ['sent', 'SMsettled']);
    assert.equal(await messageStatus(message), 'sent');
  });

  test('a provider refusal for an unsubscribed recipient (21610) opts the number out', async () => {
    answers.set('+14155550110', 'unsubscribed');
    const message = await textTo('+1 (415) 555-0110');
    const other = await created('contacts', { first_name: 'Also Sam', phone: '+14155550110' });
    await ctx.runtime.use(smsRelay).deliver();
    const failed = await deliveryOf(message);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error, /21610/);
    const contacts = (await call('GET', '/v1/contacts?phone[contains]=0110')).body.data;
    assert.deepEqual(
      contacts.map((c: any) => [c.phone, c.sms_opt_out]).toSorted(),
      [
        ['+1 (415) 555-0110', true],
        ['+14155550110', true],
      ],
      'every contact with the number, however written',
    );
    assert.ok(contacts.some((c: any) => c.id === other.id));
    const again = await call('POST', '/v1/messages/send', { conversation_id: message.conversation_id, body: 'Hi?' });
    assert.equal(again.status, 422, again.text);
  });

  test('a relay that dies mid-batch leaves only the text it was sending in doubt: the rest go once each', async () => {
    answers.set('+14155550107', 'hang');
    const messages = [];
    for (const phone of ['+1 415 555 0107', '+1 415 555 0108', '+1 415 555 0109']) messages.push(await textTo(phone));
    // This node's provider call never returns (no timeout): it dies holding the first text.
    const dead = new SmsRelay(ctx.db, pino({ level: 'silent' }), {
      provider: twilioProvider({ ...ctx.runtime.options.sms!, timeoutMs: 3_600_000 }),
      callbackUrl: (id) => `http://localhost:3000/v1/sms/status/${id}`,
    });
    void dead.deliver().catch(() => undefined);
    while (!received.some((r) => r.to === '+14155550107')) await new Promise((resolve) => setTimeout(resolve, 20));

    await ctx.runtime.use(smsRelay).deliver();
    const times = (to: string) => received.filter((r) => r.to === to).length;
    assert.deepEqual([times('+14155550107'), times('+14155550108'), times('+14155550109')], [1, 1, 1]);
    assert.deepEqual(
      await Promise.all(messages.map(async (message) => (await deliveryOf(message)).status)),
      ['queued', 'sent', 'sent'],
      'the text in doubt waits for its status callback',
    );
  });

  test('a text left in doubt with no callback fails after an hour, for a person to check', async () => {
    answers.set('+14155550106', 'hang');
    const message = await textTo('+1 415 555 0106');
    const dying = dyingRelay();
    await dying.deliver();
    await ctx.runtime.use(smsRelay).deliver(Date.now() + 3_600_000 + 1_000);
    const failed = await deliveryOf(message);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error, /check with the provider/);
    assert.equal(received.filter((r) => r.to === '+14155550106').length, 1);
  });
});

describe('SMS bad input', () => {
  const title = 'a number that cannot be a phone number, or an oversize text, is a 422 that stores and sends nothing';
  test(title, async () => {
    const before = (await systemQuery(ctx.db, { sql: 'SELECT count(*)::int AS n FROM sms_outbox', parameters: [] }))[0]
      .n;
    const contact = await created('contacts', { first_name: 'Short', phone: '+1 555 0142' });
    const thread = await created('conversations', { channel: 'sms', contact_id: contact.id });
    const impossible = await call('POST', '/v1/messages/send', { conversation_id: thread.id, body: 'Hello' });
    assertNames(assertProblem(impossible, 422, 'validation_failed'), 'conversation_id');
    const good = await created('conversations', {
      channel: 'sms',
      contact_id: (await created('contacts', { first_name: 'Long', phone: '+44 20 7946 0958' })).id,
    });
    const long = await call('POST', '/v1/messages/send', { conversation_id: good.id, body: 'x'.repeat(1531) });
    assertNames(assertProblem(long, 422, 'validation_failed'), 'body');
    assert.equal(
      (await systemQuery(ctx.db, { sql: 'SELECT count(*)::int AS n FROM sms_outbox', parameters: [] }))[0].n,
      before,
    );
    const messages = (await call('GET', `/v1/conversations/${thread.id}/messages`)).body.data;
    assert.deepEqual(messages, []);
  });
});

/** A callback with a given signature header, answered as a CallResult for the problem assertions. */
async function callbackRaw(url: string, params: Record<string, string>, signature: string) {
  const response = await ctx.app.request(new URL(url).pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text), text };
}
