// Conversations and messages: inbound messages are recorded (and reopen a closed thread),
// outbound ones are stored and queued on the conversation's channel in one transaction
// (email: the mail outbox; SMS: the SMS outbox; chat: the thread), or refused changing nothing.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { assertNames, assertProblem } from './support/problem-assertions.ts';
import { mailRelay } from '../src/mail/mail-module.ts';
import { systemQuery } from '../src/db/system-query.ts';

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
});
after(async () => {
  await ctx.close();
});
beforeEach(async () => {
  account = await ctx.newAccount('Messaging Co');
});

const { call, created } = accountClient(
  () => ctx,
  () => account,
);
const send = (body: Record<string, unknown>) => call('POST', '/v1/messages/send', body);
const mailTo = (address: string) =>
  systemQuery(ctx.db, {
    sql: 'SELECT delivery_id, subject, text_body FROM mail_outbox WHERE $1 = ANY (to_addresses)',
    parameters: [address],
  });
const textsTo = (number: string) =>
  systemQuery(ctx.db, {
    sql: 'SELECT id, message_id, body FROM sms_outbox WHERE to_number = $1',
    parameters: [number],
  });
const messageCount = async () => (await call('GET', '/v1/messages?count=true&limit=1')).body.page.total;

describe('conversations and messages', () => {
  test(
    "an SMS sent to the conversation's contact is stored outbound and queued in the SMS outbox (never claimed sent " +
      'without a provider), in order with the replies',
    async () => {
      const contact = await created('contacts', { first_name: 'Sam', phone: '+1 (415) 555-0142' });
      const thread = await created('conversations', { channel: 'sms', contact_id: contact.id });
      const sent = await send({ conversation_id: thread.id, body: 'Your technician is on the way.' });
      assert.equal(sent.status, 200, sent.text);
      const message = sent.body.data;
      assert.deepEqual(
        [message.direction, message.status, message.to_address],
        ['outbound', 'queued', '+1 (415) 555-0142'],
      );
      // Texts go to E.164 numbers.
      const [text] = await textsTo('+14155550142');
      assert.deepEqual([text.message_id, text.body], [message.id, 'Your technician is on the way.']);
      const delivery = (await call('GET', `/v1/deliveries/${message.channel_reference}`)).body.data;
      assert.deepEqual(
        [delivery.channel, delivery.recipient, delivery.status, delivery.resource_id],
        ['sms', '+14155550142', 'not_configured', message.id],
      );

      const reply = await created('messages', {
        conversation_id: thread.id,
        body: 'Thanks!',
        from_address: '+1 415 555 0142',
      });
      assert.deepEqual([reply.direction, reply.status], ['inbound', 'received']);
      const listed = (await call('GET', `/v1/conversations/${thread.id}/messages?sort=created_at`)).body.data;
      assert.deepEqual(
        listed.map((m: any) => m.id),
        [message.id, reply.id],
      );
      assert.ok((await call('GET', `/v1/conversations/${thread.id}`)).body.data.last_message_at);
      const types = (await call('GET', '/v1/events?type[in]=message.created&limit=10')).body.data.map(
        (e: any) => e.data.object.direction,
      );
      assert.deepEqual(types.sort(), ['inbound', 'outbound']);
    },
  );

  test(
    "an email goes through the mail outbox with the conversation's subject, " + 'to its participant address',
    async () => {
      const thread = await created('conversations', {
        channel: 'email',
        subject: 'Your quote',
        participant_address: 'ada@example.com',
      });
      const sent = (await send({ conversation_id: thread.id, body: 'Quote attached.' })).body.data;
      const [mail] = await mailTo('ada@example.com');
      assert.deepEqual(
        [mail.delivery_id, mail.subject, mail.text_body],
        [sent.channel_reference, 'Your quote', 'Quote attached.'],
      );
      const delivery = (await call('GET', `/v1/deliveries/${sent.channel_reference}`)).body.data;
      assert.deepEqual(
        [delivery.channel, delivery.recipient, delivery.status, delivery.resource_type, delivery.resource_id],
        ['email', 'ada@example.com', 'queued', 'messages', sent.id],
      );
      assert.equal(sent.status, 'queued');
      // This server has no mail server: the relay writes the mail to the log, and says it reached no one.
      await ctx.runtime.use(mailRelay).deliver(Date.now(), [account.id]);
      const logged = (await call('GET', `/v1/deliveries/${sent.channel_reference}`)).body.data;
      assert.deepEqual([logged.status, logged.attempts], ['not_configured', 1]);
      assert.match(logged.error, /FIELDLINE_SMTP_URL/);
      assert.equal((await call('GET', `/v1/messages/${sent.id}`)).body.data.status, 'queued');
      await send({ conversation_id: thread.id, body: 'Any questions?', subject: 'Following up' });
      assert.deepEqual((await mailTo('ada@example.com')).map((m) => m.subject).sort(), ['Following up', 'Your quote']);
    },
  );

  test(
    'chat messages need no outbox; voice cannot send; closed or addressless conversations refuse, ' +
      'storing and queuing nothing',
    async () => {
      const chat = await created('conversations', { channel: 'chat' });
      const sent = (await send({ conversation_id: chat.id, body: 'Hello from the office' })).body.data;
      assert.deepEqual([sent.status, sent.channel_reference], ['sent', null]);

      const before = await messageCount();
      const voice = await created('conversations', { channel: 'voice' });
      assertNames(
        assertProblem(await send({ conversation_id: voice.id, body: 'x' }), 422, 'validation_failed'),
        'conversation_id',
      );
      const nobody = await created('conversations', { channel: 'sms' });
      assertNames(
        assertProblem(await send({ conversation_id: nobody.id, body: 'x' }), 422, 'validation_failed'),
        'conversation_id',
      );
      const wrongKind = await created('conversations', { channel: 'email', participant_address: '+1 555 0100' });
      assertNames(
        assertProblem(await send({ conversation_id: wrongKind.id, body: 'x' }), 422, 'validation_failed'),
        'conversation_id',
      );
      const closed = await created('conversations', { channel: 'email', participant_address: 'closed@example.com' });
      await call('POST', `/v1/conversations/${closed.id}/close`, {});
      assertProblem(await send({ conversation_id: closed.id, body: 'x' }), 409, 'conflict');
      assertNames(
        assertProblem(await send({ conversation_id: 'cnv_nope', body: 'x' }), 422, 'validation_failed'),
        'conversation_id',
      );
      assertNames(
        assertProblem(await send({ conversation_id: chat.id, body: '   ' }), 422, 'validation_failed'),
        'body',
      );
      assert.equal(await messageCount(), before);
      assert.deepEqual(await mailTo('closed@example.com'), []);
    },
  );

  test('an inbound message reopens a closed conversation; notes stay internal and are listed under it', async () => {
    const thread = await created('conversations', { channel: 'email', participant_address: 'bo@example.com' });
    await call('POST', `/v1/conversations/${thread.id}/close`, {});
    await created('messages', {
      conversation_id: thread.id,
      body: 'One more thing...',
      from_address: 'bo@example.com',
    });
    assert.equal((await call('GET', `/v1/conversations/${thread.id}`)).body.data.status, 'open');
    const [event] = (await call('GET', '/v1/events?type=conversation.reopened&limit=1')).body.data;
    assert.equal(event.data.object.id, thread.id);

    const note = await created('conversation-notes', {
      conversation_id: thread.id,
      body: 'VIP: answer within the hour',
    });
    assert.deepEqual(
      (await call('GET', `/v1/conversations/${thread.id}/notes`)).body.data.map((n: any) => n.id),
      [note.id],
    );
    assert.deepEqual(await mailTo('bo@example.com'), [], 'a note is never sent');
  });

  test("another account's conversation cannot be written to", async () => {
    const other = await ctx.newAccount('Rival');
    const theirs = (await ctx.call('POST', '/v1/conversations', { key: other.key, body: { channel: 'chat' } })).body
      .data;
    assertNames(
      assertProblem(await send({ conversation_id: theirs.id, body: 'hi' }), 422, 'validation_failed'),
      'conversation_id',
    );
    assertNames(
      assertProblem(
        await call('POST', '/v1/messages', { conversation_id: theirs.id, body: 'hi' }),
        422,
        'validation_failed',
      ),
      'conversation_id',
    );
  });
});
