// Gmail's sync and send against a local fake Google on 127.0.0.1: inbound mail into
// conversations (threads together, contacts matched by address, attachments stored), twice
// without duplicates, incremental through history.list (and back to the window when the history
// id expired), resumed after a failure mid-run without duplicates or gaps, 429 honoured,
// malformed or huge answers failing the run with nothing written; replies sent through the
// mailbox as RFC 2822 with threading headers, in the Gmail thread.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemQuery } from '../src/db/system-query.ts';
import { mailboxRelay, syncRunner } from '../src/integrations/integration-operations.ts';
import { fileStorage } from '../src/storage/storage-module.ts';
import { DEFAULT_SYNC_INTERVAL_MS, scheduledSyncs } from '../src/integrations/scheduled-syncs.ts';
import { createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { startFakeGoogle, type FakeGoogle } from './support/fake-google.ts';
import { connectGmail } from './support/gmail-connect.ts';

let google: FakeGoogle;
let t: TestContext;
let account: TestAccount;
let mailbox: string;

before(async () => {
  google = await startFakeGoogle();
  t = await createTestContext({ integrations: google.settings });
});
after(async () => {
  await t.close();
  await google.close();
});
beforeEach(async () => {
  account = await t.newAccount('Mail Co');
  mailbox = (await connectGmail(t, account.key, google)).email;
});

const call = (method: string, path: string, body?: unknown) => t.call(method, path, { key: account.key, body });
const HOUR = 3_600_000;
/** The runner and the relay, for this test's account only (other suites may share the database). */
const runSyncs = (at: number) => t.runtime.use(syncRunner).runDue(at, { accountIds: [account.id] });
const sendMailbox = () => t.runtime.use(mailboxRelay).deliver(Date.now(), { accountIds: [account.id] });

/** Starts a sync and runs what is due at `now`; answers the run as the API shows it. */
async function sync(at?: number) {
  const started = await call('POST', '/v1/integrations/gmail/sync', {});
  assert.equal(started.status, 202, started.text);
  await runSyncs(at ?? Date.now());
  return (await call('GET', `/v1/integration-syncs/${started.body.data.id}`)).body.data;
}

async function messages() {
  const rows = await systemQuery(t.db, {
    sql: `SELECT m.id, m.conversation_id, m.body, m.direction, m.from_address FROM messages m
           WHERE m.account_id = $1 ORDER BY m.created_at, m.id`,
    parameters: [account.id],
  });
  return rows;
}

const status = async () => (await call('GET', '/v1/integrations/gmail/status')).body.data;

const deliverMany = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    google.deliver(mailbox, { from: `customer${i}@example.net`, subject: `Question ${i}`, text: `Body ${i}` }),
  );

describe('Gmail sync', () => {
  test('imports mail into conversations (threads together, contacts matched, attachments stored), once', async () => {
    const contact = (await call('POST', '/v1/contacts', { first_name: 'Ada', email: 'ada@example.net' })).body.data;
    const first = google.deliver(mailbox, {
      from: 'Ada Lovelace <ADA@example.net>',
      subject: 'Boiler noise',
      text: 'It rattles.',
      attachments: [{ id: 'att1', filename: 'noise.jpg', mimeType: 'image/jpeg', content: Buffer.from('jpeg-bytes') }],
    });
    google.deliver(mailbox, {
      from: 'ada@example.net',
      subject: 'Re: Boiler noise',
      text: 'Still rattling.',
      threadId: first.threadId,
    });
    google.deliver(mailbox, { from: 'bob@example.org', subject: 'Quote?', text: 'How much?' });

    const run = await sync();
    assert.equal(run.status, 'succeeded', run.error);
    assert.equal(run.created_count, 3);
    const imported = await messages();
    assert.equal(imported.length, 3);
    const conversations = (await call('GET', '/v1/conversations')).body.data;
    assert.equal(conversations.length, 2);
    const boiler = conversations.find((c: any) => c.subject === 'Boiler noise');
    assert.equal(boiler.contact_id, contact.id);
    assert.equal(boiler.channel, 'email');
    assert.equal(imported.filter((m) => m.conversation_id === boiler.id).length, 2);
    assert.ok(imported.every((m) => m.direction === 'inbound'));
    const [attachment] = await systemQuery(t.db, {
      sql: `SELECT record_id, metadata FROM integration_links
             WHERE account_id = $1 AND collection = 'message-attachments'`,
      parameters: [account.id],
    });
    assert.equal(String(await t.runtime.use(fileStorage).get(attachment.record_id)), 'jpeg-bytes');

    const again = await sync();
    assert.equal(again.status, 'succeeded');
    assert.equal(again.created_count, 0);
    assert.equal((await messages()).length, 3);
    assert.ok(
      google.requests.some((r) => r.path.endsWith('/history')),
      'the second run reads history',
    );

    google.deliver(mailbox, { from: 'bob@example.org', subject: 'Re: Quote?', text: 'Any news?', threadId: undefined });
    const third = await sync();
    assert.equal(third.created_count, 1);
    assert.equal((await messages()).length, 4);
    const shown = await status();
    assert.equal(shown.last_sync_status, 'succeeded');
    assert.equal(shown.last_sync_id, third.id);
  });

  test('a run failing after page 1 resumes there: no duplicates, no gaps', async () => {
    const delivered = deliverMany(30); // two pages of 25
    google.fail({ path: '/messages', when: (q) => q.get('pageToken') === '25', status: 500 });
    const run = await sync();
    assert.equal(run.status, 'queued');
    assert.equal(run.pages, 1);
    assert.equal(run.created_count, 25);
    assert.match(run.error, /Retrying/);
    await runSyncs(Date.now() + HOUR);
    const done = (await call('GET', `/v1/integration-syncs/${run.id}`)).body.data;
    assert.equal(done.status, 'succeeded', done.error);
    assert.equal(done.created_count, 30);
    const bodies = (await messages()).map((m) => m.body).sort();
    assert.deepEqual(bodies, delivered.map((m) => m.text).sort());
  });

  test('a worker that died mid-run: its lease lapses and the next worker resumes', async () => {
    deliverMany(30);
    google.fail({ path: '/messages', when: (q) => q.get('pageToken') === '25', status: 503 });
    const run = await sync();
    // As if the worker died holding the run: still `running`, its lease over.
    await systemQuery(t.db, {
      sql: `UPDATE integration_syncs SET status = 'running', claimed_until = now() - interval '1 second',
                   run_after = now() + interval '1 hour' WHERE id = $1`,
      parameters: [run.id],
    });
    await runSyncs(Date.now());
    const done = (await call('GET', `/v1/integration-syncs/${run.id}`)).body.data;
    assert.equal(done.status, 'succeeded', done.error);
    assert.equal((await messages()).length, 30);
  });

  test('429: the run waits for Retry-After, then goes on', async () => {
    await sync();
    google.deliver(mailbox, { from: 'c@example.net', subject: 'Hi', text: 'Hello' });
    google.fail({ path: '/history', status: 429, headers: { 'retry-after': '120' } });
    const run = await sync();
    const started = Date.parse(run.updated_at);
    assert.equal(run.status, 'queued');
    assert.match(run.error, /slow down/);
    const waitMs = Date.parse(run.run_after) - started;
    assert.ok(waitMs >= 119_000 && waitMs <= 125_000, `waits ${waitMs} ms`);
    assert.equal(await runSyncs(started + 60_000), 0, 'not before Retry-After');
    await runSyncs(started + 121_000);
    const done = (await call('GET', `/v1/integration-syncs/${run.id}`)).body.data;
    assert.equal(done.status, 'succeeded');
    assert.equal(done.created_count, 1);
  });

  test('a malformed or huge answer fails the run, shows error, writes nothing; the next run recovers', async () => {
    const [mail] = deliverMany(2);
    google.fail({ path: `/messages/${mail.id}`, status: 200, body: '{"id": 5, "payload": "nope"}' });
    const malformed = await sync();
    assert.equal(malformed.status, 'failed');
    assert.match(malformed.error, /not the documented shape/);
    assert.equal((await status()).status, 'error');
    assert.equal((await messages()).length, 0);

    google.fail({ path: '/messages', status: 200, body: 'huge' });
    const huge = await sync();
    assert.equal(huge.status, 'failed');
    assert.match(huge.error, /too large/);
    google.fail({ path: '/messages', status: 200, body: 'not json at all' });
    assert.match((await sync()).error, /not JSON/);
    assert.equal((await messages()).length, 0);

    const recovered = await sync();
    assert.equal(recovered.status, 'succeeded', recovered.error);
    assert.equal((await messages()).length, 2);
    assert.equal((await status()).status, 'connected');
  });

  test('a connected mailbox syncs on its own once its last sync is an interval old', async () => {
    deliverMany(2);
    await sync();
    const scheduler = t.runtime.use(scheduledSyncs);
    const scope = { accountIds: [account.id] };
    assert.equal(await scheduler.queueDue(Date.now(), scope), 0, 'synced a moment ago');
    google.deliver(mailbox, { from: 'later@example.net', subject: 'Later', text: 'Later mail' });
    const later = Date.now() + DEFAULT_SYNC_INTERVAL_MS + 1000;
    assert.equal(await scheduler.queueDue(later, scope), 1);
    await runSyncs(later);
    const [run] = (await call('GET', '/v1/integration-syncs?trigger=scheduled')).body.data;
    assert.equal(run.status, 'succeeded', run.error);
    assert.equal(run.created_count, 1);
    assert.equal((await messages()).length, 3);
  });

  test('an expired history id falls back to the recent window, without duplicates', async () => {
    deliverMany(2);
    await sync();
    google.deliver(mailbox, { from: 'late@example.net', subject: 'Late', text: 'Late mail' });
    google.expireHistoryBefore(1_000_000);
    const run = await sync();
    google.expireHistoryBefore(0);
    assert.equal(run.status, 'succeeded', run.error);
    assert.equal(run.created_count, 1);
    assert.equal(run.skipped_count, 2);
    assert.equal((await messages()).length, 3);
  });
});

describe('sending through Gmail', () => {
  test('a reply in an imported conversation goes through Gmail, in its thread, with threading headers', async () => {
    const original = google.deliver(mailbox, { from: 'ada@example.net', subject: 'Boiler', text: 'It rattles.' });
    await sync();
    const [conversation] = (await call('GET', '/v1/conversations')).body.data;
    const sent = await call('POST', '/v1/messages/send', {
      conversation_id: conversation.id,
      body: 'Coming Tuesday — ok?',
    });
    assert.equal(sent.status, 200, sent.text);
    assert.equal(sent.body.data.status, 'queued');
    const smtp = await systemQuery(t.db, {
      sql: 'SELECT 1 FROM mail_outbox WHERE account_id = $1',
      parameters: [account.id],
    });
    assert.equal(smtp.length, 0, 'not queued for SMTP');

    assert.equal(await sendMailbox(), 1);
    const out = google.sent.at(-1)!;
    assert.equal(out.threadId, original.threadId);
    assert.match(out.raw, /^To: ada@example\.net\r$/m);
    assert.match(out.raw, /^Subject: Boiler\r$/m);
    assert.match(out.raw, new RegExp(`^In-Reply-To: ${original.messageId}\\r$`, 'm'));
    assert.match(out.raw, new RegExp(`^References: ${original.messageId}\\r$`, 'm'));
    assert.match(out.raw, new RegExp(`^Message-ID: <${sent.body.data.id}@`, 'm'));
    const body = Buffer.from(out.raw.split('\r\n\r\n')[1], 'base64').toString('utf8');
    assert.equal(body, 'Coming Tuesday — ok?');

    const message = (await call('GET', `/v1/messages/${sent.body.data.id}`)).body.data;
    assert.equal(message.status, 'sent');
    const delivery = (await call('GET', `/v1/deliveries/${message.channel_reference}`)).body.data;
    assert.equal(delivery.status, 'sent');
    // The next sync sees the sent message in the mailbox and knows it.
    const run = await sync();
    assert.equal(run.created_count, 0);
    assert.equal((await messages()).length, 2);
  });

  test('a send Gmail refuses with 429 or 503 waits and is sent once later', async () => {
    const conversation = (
      await call('POST', '/v1/conversations', {
        channel: 'email',
        subject: 'Later',
        participant_address: 'x@example.net',
      })
    ).body.data;
    const sent = await call('POST', '/v1/messages/send', { conversation_id: conversation.id, body: 'Hello' });
    google.fail({ path: '/messages/send', status: 429, headers: { 'retry-after': '60' } });
    const relay = t.runtime.use(mailboxRelay);
    const scope = { accountIds: [account.id] };
    const start = Date.now();
    assert.equal(await relay.deliver(start, scope), 0);
    google.fail({ path: '/messages/send', status: 503 });
    assert.equal(await relay.deliver(start + 61_000, scope), 0, 'after Retry-After: tried, refused again');
    assert.equal((await call('GET', `/v1/messages/${sent.body.data.id}`)).body.data.status, 'queued');
    const before = google.sent.length;
    assert.equal(await relay.deliver(start + 3_600_000, scope), 1);
    assert.equal(google.sent.length, before + 1);
    assert.equal(await relay.deliver(start + 7_200_000, scope), 0, 'sent once');
    assert.equal((await call('GET', `/v1/messages/${sent.body.data.id}`)).body.data.status, 'sent');
  });

  test('POST /v1/integrations/gmail/send in a new conversation: a new thread, no reply headers', async () => {
    const conversation = (
      await call('POST', '/v1/conversations', {
        channel: 'email',
        subject: 'Your quote',
        participant_address: 'new@example.net',
      })
    ).body.data;
    const sent = await call('POST', '/v1/integrations/gmail/send', {
      conversation_id: conversation.id,
      body: 'Attached.',
    });
    assert.equal(sent.status, 200, sent.text);
    await sendMailbox();
    const out = google.sent.at(-1)!;
    assert.equal(out.threadId, undefined);
    assert.doesNotMatch(out.raw, /In-Reply-To/);
    assert.match(out.raw, /^To: new@example\.net\r$/m);
    const refused = await call('POST', '/v1/integrations/gmail/send', {
      conversation_id: 'cnv_01ARZ3NDEKTSV4RRFFQ69G5FAV',
      body: 'x',
    });
    assert.equal(refused.status, 422);
    await call('DELETE', '/v1/integrations/gmail');
    const notConnected = await call('POST', '/v1/integrations/gmail/send', {
      conversation_id: conversation.id,
      body: 'x',
    });
    assert.equal(notConnected.status, 409);
    // Disconnected: messages/send goes by SMTP again.
    const bySmtp = await call('POST', '/v1/messages/send', { conversation_id: conversation.id, body: 'By mail relay' });
    assert.equal(bySmtp.status, 200, bySmtp.text);
    const smtp = await systemQuery(t.db, {
      sql: 'SELECT 1 FROM mail_outbox WHERE account_id = $1',
      parameters: [account.id],
    });
    assert.equal(smtp.length, 1);
  });
});
