// Which mailbox email leaves through when an account connected both Gmail and Microsoft 365
// (local fakes of both on 127.0.0.1): a conversation imported from Outlook is answered through
// Outlook (in its conversation), one imported from Gmail through Gmail (in its thread), a new
// conversation through the default mailbox (the first connected); with the conversation's
// mailbox disconnected, through the default; and an automation's send_message email goes through
// the default mailbox rather than SMTP.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { systemQuery } from '../src/db/system-query.ts';
import { AutomationEngine } from '../src/automation/automation-engine.ts';
import { mailboxRelay, syncRunner } from '../src/integrations/integration-operations.ts';
import { createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { startFakeGoogle, type FakeGoogle } from './support/fake-google.ts';
import { startFakeMicrosoft, type FakeMailbox, type FakeMicrosoft } from './support/fake-microsoft.ts';
import { connectGmail } from './support/gmail-connect.ts';

let google: FakeGoogle;
let microsoft: FakeMicrosoft;
let t: TestContext;
let account: TestAccount;
let gmailAddress: string;
let outlook: FakeMailbox;
let users = 0;

before(async () => {
  google = await startFakeGoogle();
  microsoft = await startFakeMicrosoft();
  t = await createTestContext({ integrations: { ...google.settings, ...microsoft.settings } });
});
after(async () => {
  await t.close();
  await google.close();
  await microsoft.close();
});

const call = (method: string, path: string, body?: unknown) => t.call(method, path, { key: account.key, body });
const runSyncs = () => t.runtime.use(syncRunner).runDue(Date.now(), { accountIds: [account.id] });
const sendMailbox = () => t.runtime.use(mailboxRelay).deliver(Date.now(), { accountIds: [account.id] });

/** Connects the account's Outlook mailbox: authorize, the fake's sign-in, the callback. */
async function connectOutlook() {
  const user = microsoft.addUser(`routing${++users}@contoso.example`, 'Contoso Office');
  const start = await call('GET', '/v1/integrations/microsoft/authorize');
  assert.equal(start.status, 302, start.text);
  const signIn = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  assert.equal(signIn.status, 302, await signIn.text());
  const back = new URL(signIn.headers.get('location')!);
  const callback = await t.call('GET', `${back.pathname}${back.search}`);
  assert.equal(callback.status, 200, callback.text);
  return user;
}

async function syncBoth() {
  for (const provider of ['gmail', 'microsoft']) {
    const started = await call('POST', `/v1/integrations/${provider}/sync`, {});
    assert.equal(started.status, 202, started.text);
  }
  await runSyncs();
}

const conversationAbout = async (subject: string) => {
  const all = (await call('GET', '/v1/conversations?limit=100')).body.data as any[];
  const found = all.find((c) => c.subject === subject);
  assert.ok(found, `a conversation '${subject}'`);
  return found;
};

async function reply(conversationId: string, body: string) {
  const sent = await call('POST', '/v1/messages/send', { conversation_id: conversationId, body });
  assert.equal(sent.status, 200, sent.text);
  assert.equal(sent.body.data.status, 'queued');
  return sent.body.data;
}

const outboxOf = (provider: string) =>
  systemQuery(t.db, {
    sql: 'SELECT message_id, to_address FROM integration_mail_outbox WHERE account_id = $1 AND provider = $2',
    parameters: [account.id, provider],
  });

const smtpQueued = async () =>
  (
    await systemQuery(t.db, {
      sql: 'SELECT 1 FROM mail_outbox WHERE account_id = $1',
      parameters: [account.id],
    })
  ).length;

beforeEach(async () => {
  account = await t.newAccount('Two Mailboxes Co');
  // Gmail first: it is the default mailbox.
  gmailAddress = (await connectGmail(t, account.key, google)).email;
  outlook = await connectOutlook();
});

describe('with Gmail and Microsoft 365 both connected', () => {
  test('a conversation replies through the mailbox it was imported from; a new one through the default', async () => {
    const fromOutlook = microsoft.deliver(outlook.id, {
      from: { address: 'ada@example.net' },
      subject: 'Outlook boiler',
      text: 'It rattles.',
    });
    const fromGmail = google.deliver(gmailAddress, {
      from: 'bob@example.org',
      subject: 'Gmail quote',
      text: 'How much?',
    });
    await syncBoth();
    const outlookConversation = await conversationAbout('Outlook boiler');
    const gmailConversation = await conversationAbout('Gmail quote');

    const gmailSentBefore = google.sent.length;
    const toOutlook = await reply(outlookConversation.id, 'Tuesday at 9?');
    const toGmail = await reply(gmailConversation.id, 'About 300.');
    const fresh = await call('POST', '/v1/conversations', {
      channel: 'email',
      subject: 'New visit',
      participant_address: 'carol@example.com',
    });
    assert.equal(fresh.status, 201, fresh.text);
    const toFresh = await reply(fresh.body.data.id, 'Booked.');

    assert.deepEqual(
      (await outboxOf('microsoft')).map((r) => r.message_id),
      [toOutlook.id],
    );
    assert.deepEqual((await outboxOf('gmail')).map((r) => r.message_id).sort(), [toGmail.id, toFresh.id].sort());
    assert.equal(await smtpQueued(), 0, 'nothing by SMTP');

    assert.equal(await sendMailbox(), 3);
    // Outlook: a reply in the imported Outlook conversation.
    assert.equal(outlook.sent.length, 1);
    const [out] = outlook.sent;
    assert.equal(out.kind, 'reply');
    assert.equal(out.replyTo, fromOutlook.id);
    assert.equal(out.conversationId, fromOutlook.conversationId);
    // Gmail: the reply in its Gmail thread, and the new conversation as a new thread.
    const gmailSent = google.sent.slice(gmailSentBefore);
    assert.equal(gmailSent.length, 2);
    const inThread = gmailSent.find((s) => /To: bob@example\.org/i.test(s.raw))!;
    assert.equal(inThread.threadId, fromGmail.threadId);
    const newThread = gmailSent.find((s) => /To: carol@example\.com/i.test(s.raw))!;
    assert.equal(newThread.threadId, undefined, 'a new Gmail thread');
    for (const id of [toOutlook.id, toGmail.id, toFresh.id])
      assert.equal((await call('GET', `/v1/messages/${id}`)).body.data.status, 'sent');

    // The new conversation is now linked to Gmail's thread: its next message stays in it.
    const again = await reply(fresh.body.data.id, 'See you then.');
    assert.equal(await sendMailbox(), 1);
    const [link] = await systemQuery(t.db, {
      sql: `SELECT external_id FROM integration_links
             WHERE account_id = $1 AND provider = 'gmail' AND collection = 'conversations' AND record_id = $2`,
      parameters: [account.id, fresh.body.data.id],
    });
    assert.ok(link, 'the new conversation is linked to the thread Gmail gave it');
    assert.equal(google.sent.at(-1)!.threadId, link.external_id);
    assert.ok((await outboxOf('gmail')).some((r) => r.message_id === again.id));
  });

  test("with the conversation's mailbox disconnected, the reply goes through the default mailbox", async () => {
    microsoft.deliver(outlook.id, { from: { address: 'dan@example.net' }, subject: 'Leak', text: 'Drip drip.' });
    await syncBoth();
    const conversation = await conversationAbout('Leak');
    const disconnected = await call('DELETE', '/v1/integrations/microsoft');
    assert.ok(disconnected.status < 300, disconnected.text);
    const message = await reply(conversation.id, 'On our way.');
    assert.deepEqual(
      (await outboxOf('gmail')).map((r) => r.message_id),
      [message.id],
    );
    assert.equal((await outboxOf('microsoft')).length, 0);
  });

  test('the default is the first connected: Microsoft 365 when it was connected before Gmail', async () => {
    account = await t.newAccount('Outlook First Co');
    outlook = await connectOutlook();
    gmailAddress = (await connectGmail(t, account.key, google)).email;
    const fresh = await call('POST', '/v1/conversations', {
      channel: 'email',
      subject: 'Hello',
      participant_address: 'erin@example.com',
    });
    const message = await reply(fresh.body.data.id, 'Welcome.');
    assert.deepEqual(
      (await outboxOf('microsoft')).map((r) => r.message_id),
      [message.id],
    );
    assert.equal(await sendMailbox(), 1);
    assert.equal(outlook.sent.length, 1);
    assert.equal(outlook.sent[0].kind, 'new');
  });
});

describe("an automation's send_message email", () => {
  test('goes through the default connected mailbox, not SMTP', async () => {
    const engine = new AutomationEngine(t.runtime, pino({ level: 'silent' }), { accountIds: [account.id] });
    const rule = await call('POST', '/v1/automation-rules', {
      name: 'Welcome',
      trigger: { type: 'event', event: 'contact.created' },
      actions: [
        {
          type: 'send_message',
          channel: 'email',
          to: '{{object.email}}',
          subject: 'Hello {{object.first_name}}',
          body: 'Welcome aboard.',
        },
      ],
    });
    assert.equal(rule.status, 201, rule.text);
    const contact = await call('POST', '/v1/contacts', { first_name: 'Fay', email: 'fay@example.com' });
    assert.equal(contact.status, 201, contact.text);
    await engine.settle();
    const [run] = (await call('GET', `/v1/automation-rules/${rule.body.data.id}/runs`)).body.data;
    assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
    const { delivery_id } = run.steps[0].result;
    assert.equal(await smtpQueued(), 0, 'nothing by SMTP');
    const [queued] = await systemQuery(t.db, {
      sql: 'SELECT provider, message_id, subject, body FROM integration_mail_outbox WHERE delivery_id = $1',
      parameters: [delivery_id],
    });
    assert.deepEqual(queued, { provider: 'gmail', message_id: null, subject: 'Hello Fay', body: 'Welcome aboard.' });

    const before = google.sent.length;
    assert.equal(await sendMailbox(), 1);
    const [sent] = google.sent.slice(before);
    assert.match(sent.raw, /To: fay@example\.com/i);
    assert.match(sent.raw, /Subject: Hello Fay/);
    const delivery = (await call('GET', `/v1/deliveries/${delivery_id}`)).body.data;
    assert.equal(delivery.status, 'sent');
  });
});
