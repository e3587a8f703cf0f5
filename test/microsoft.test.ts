// The Microsoft 365 connector on the integrations framework, against the local fake of the
// Microsoft identity platform and Graph on 127.0.0.1: connecting (authorization code + PKCE),
// refresh, invalid_grant -> needs_reauth, the inbox delta sync (threads kept together, contacts
// matched, attachments stored; twice without duplicates; resumed after a failure or a dead worker
// without duplicates or gaps; 429 honoured; malformed answers failing the run with nothing
// written; an expired delta link starting over without duplicates), sending through the mailbox,
// and another account's integration being a 404.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemQuery } from '../src/db/system-query.ts';
import { mailboxRelay, syncRunner } from '../src/integrations/integration-operations.ts';
import { DELTA_PAGE_SIZE } from '../src/integrations/microsoft/graph-client.ts';
import { fileStorage } from '../src/storage/storage-module.ts';
import { createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { startFakeMicrosoft, type FakeMailbox, type FakeMicrosoft } from './support/fake-microsoft.ts';

let microsoft: FakeMicrosoft;
let t: TestContext;
let account: TestAccount;
let mailbox: FakeMailbox;

before(async () => {
  microsoft = await startFakeMicrosoft();
  t = await createTestContext({ integrations: microsoft.settings });
});
after(async () => {
  await t.close();
  await microsoft.close();
});

/** Runs this account's due syncs (suites sharing a PostgreSQL database each drain only their own). */
const runSyncs = (now = Date.now()) => t.runtime.use(syncRunner).runDue(now, { accountIds: [account.id] });
/** Sends this account's due mailbox mail. */
const sendMail = (now = Date.now()) => t.runtime.use(mailboxRelay).deliver(now, { accountIds: [account.id] });

const call = (method: string, path: string, body?: unknown, key = account.key) => t.call(method, path, { key, body });
const status = async (key = account.key) =>
  (await call('GET', '/v1/integrations/microsoft/status', undefined, key)).body.data;
const HOUR = 3_600_000;
let mailboxes = 0;

/** Connects the key's account to a new Microsoft 365 mailbox: authorize, the fake's sign-in, the callback. */
async function connect(key: string) {
  const user = microsoft.addUser(`office${++mailboxes}@contoso.example`, 'Contoso Office');
  const start = await t.call('GET', '/v1/integrations/microsoft/authorize', { key });
  assert.equal(start.status, 302, start.text);
  const authorizeUrl = start.headers.get('location')!;
  const signIn = await fetch(authorizeUrl, { redirect: 'manual' });
  assert.equal(signIn.status, 302, await signIn.text());
  const back = new URL(signIn.headers.get('location')!);
  assert.equal(back.searchParams.get('error'), null, back.searchParams.get('error_description') ?? '');
  const callback = await t.call('GET', `${back.pathname}${back.search}`);
  assert.equal(callback.status, 200, callback.text);
  return { user, authorizeUrl, callback };
}

/** Starts a sync and runs what is due at `now`; answers the run as the API shows it. */
async function sync(at?: number) {
  const started = await call('POST', '/v1/integrations/microsoft/sync', {});
  assert.equal(started.status, 202, started.text);
  await runSyncs(at ?? Date.now());
  return (await call('GET', `/v1/integration-syncs/${started.body.data.id}`)).body.data;
}

async function messages() {
  return systemQuery(t.db, {
    sql: `SELECT id, conversation_id, subject, body, direction, from_address FROM messages
           WHERE account_id = $1 ORDER BY created_at, id`,
    parameters: [account.id],
  });
}

const deliverMany = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    microsoft.deliver(mailbox.id, {
      from: { address: `customer${i}@example.net` },
      subject: `Question ${i}`,
      text: `Body ${i}`,
    }),
  );

describe('connecting Microsoft 365', () => {
  beforeEach(async () => {
    account = await t.newAccount('Outlook Co');
  });

  test('authorize sends to the v2.0 endpoint with state, PKCE S256 and the scopes; the callback connects', async () => {
    assert.equal((await status()).status, 'disconnected');
    const { user, authorizeUrl, callback } = await connect(account.key);
    const url = new URL(authorizeUrl);
    assert.equal(`${url.origin}${url.pathname}`, `${microsoft.url}/common/oauth2/v2.0/authorize`);
    const params = url.searchParams;
    assert.equal(params.get('client_id'), microsoft.clientId);
    assert.equal(params.get('response_type'), 'code');
    assert.equal(params.get('response_mode'), 'query');
    assert.equal(params.get('code_challenge_method'), 'S256');
    assert.match(params.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(params.get('scope')!.split(' ').sort(), [
      'Calendars.ReadWrite',
      'Mail.ReadWrite',
      'Mail.Send',
      'User.Read',
      'offline_access',
    ]);
    assert.match(params.get('redirect_uri')!, /\/v1\/integrations\/microsoft\/callback$/);
    assert.match(callback.text, new RegExp(user.mail));
    // The fake checked the verifier against the challenge before it issued tokens.
    const exchange = microsoft.requests.find((r) => r.path.endsWith('/token') && /code_verifier=/.test(r.body));
    assert.ok(exchange, 'the code was redeemed with a PKCE verifier');

    const shown = await status();
    assert.equal(shown.status, 'connected');
    assert.equal(shown.identity, user.mail);
    assert.equal(shown.sends_mail, true);
    const integration = (await call('GET', `/v1/integrations/${shown.integration_id}`)).body.data;
    assert.equal(integration.external_account_id, user.id);
    const [stored] = await systemQuery(t.db, {
      sql: 'SELECT access_token, refresh_token FROM integration_tokens WHERE account_id = $1',
      parameters: [account.id],
    });
    assert.match(stored.access_token, /^v1:/);
    assert.match(stored.refresh_token, /^v1:/);
    assert.doesNotMatch(JSON.stringify(shown), /eyJ0eXAi|M\.C5/);
  });

  test('an access token Graph refuses is refreshed, and the call goes on', async () => {
    mailbox = (await connect(account.key)).user;
    microsoft.deliver(mailbox.id, { from: { address: 'ada@example.net' }, subject: 'Hi', text: 'Hello' });
    microsoft.expireAccessTokens();
    const run = await sync();
    assert.equal(run.status, 'succeeded', run.error);
    assert.equal(run.created_count, 1);
    assert.ok(microsoft.requests.some((r) => r.path.endsWith('/token') && /grant_type=refresh_token/.test(r.body)));
  });

  test('invalid_grant on refresh: the integration needs reauth, and connecting again restores it', async () => {
    mailbox = (await connect(account.key)).user;
    microsoft.revokeGrant(mailbox.id);
    microsoft.expireAccessTokens();
    const run = await sync();
    assert.equal(run.status, 'failed');
    const shown = await status();
    assert.equal(shown.status, 'needs_reauth');
    assert.match(shown.last_error, /invalid_grant|grant/);
    microsoft.signInAs(mailbox.id);
    await connect(account.key);
    assert.equal((await status()).status, 'connected');
  });

  test("another account's Microsoft integration is a 404 and none of its state", async () => {
    await connect(account.key);
    const own = (await call('GET', '/v1/integrations')).body.data.find((i: any) => i.provider === 'microsoft');
    const other = await t.newAccount('Other Co');
    const peek = await call('GET', `/v1/integrations/${own.id}`, undefined, other.key);
    assert.equal(peek.status, 404);
    assert.equal((await status(other.key)).status, 'disconnected');
    const listed = await call('GET', '/v1/integrations', undefined, other.key);
    assert.deepEqual(listed.body.data, []);
    const syncing = await call('POST', '/v1/integrations/microsoft/sync', {}, other.key);
    assert.equal(syncing.status, 409, syncing.text);
  });
});

describe('Microsoft 365 mail sync', () => {
  beforeEach(async () => {
    account = await t.newAccount('Outlook Co');
    mailbox = (await connect(account.key)).user;
  });

  test('imports the inbox: threads together, contacts matched, attachments stored; twice, once', async () => {
    const contact = (await call('POST', '/v1/contacts', { first_name: 'Ada', email: 'ada@example.net' })).body.data;
    const first = microsoft.deliver(mailbox.id, {
      from: { name: 'Ada Lovelace', address: 'ADA@example.net' },
      subject: 'Boiler noise',
      text: 'It rattles.',
      attachments: [{ name: 'noise.jpg', contentType: 'image/jpeg', content: Buffer.from('jpeg-bytes') }],
    });
    microsoft.deliver(mailbox.id, {
      from: { address: 'ada@example.net' },
      subject: 'RE: Boiler noise',
      text: 'Still rattling.',
      inReplyTo: first.id,
    });
    microsoft.deliver(mailbox.id, { from: { address: 'bob@example.org' }, subject: 'Quote?', text: 'How much?' });
    // Older than the first sync's window: left alone.
    microsoft.deliver(mailbox.id, {
      from: { address: 'old@example.org' },
      subject: 'Ancient',
      text: 'Long ago',
      receivedAt: new Date(Date.now() - 90 * 24 * HOUR),
    });

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
    assert.equal(boiler.participant_address, 'ada@example.net');
    assert.deepEqual(
      imported.filter((m) => m.conversation_id === boiler.id).map((m) => m.body.split('\n')[0]),
      ['It rattles.', 'Still rattling.'],
    );
    assert.ok(imported.every((m) => m.direction === 'inbound'));
    const [attachment] = await systemQuery(t.db, {
      sql: `SELECT record_id, metadata FROM integration_links
             WHERE account_id = $1 AND collection = 'message-attachments'`,
      parameters: [account.id],
    });
    assert.equal(String(await t.runtime.use(fileStorage).get(attachment.record_id)), 'jpeg-bytes');
    assert.equal(attachment.metadata.filename ?? JSON.parse(attachment.metadata).filename, 'noise.jpg');

    const again = await sync();
    assert.equal(again.status, 'succeeded', again.error);
    assert.equal(again.created_count, 0);
    assert.equal((await messages()).length, 3);
    const deltaCalls = microsoft.requests.filter((r) => r.path.includes('/delta'));
    assert.ok(deltaCalls.at(-1)!.query.$deltatoken, 'the second run follows the delta link');

    // Read in Outlook, then deleted there: reported again, our records stay as they are, and the
    // attachment is not downloaded again.
    const attachmentCalls = () => microsoft.requests.filter((r) => r.path.includes('/attachments')).length;
    const downloads = attachmentCalls();
    microsoft.markRead(mailbox.id, first.id);
    const read = await sync();
    assert.deepEqual([read.created_count, read.skipped_count], [0, 1]);
    assert.equal(attachmentCalls(), downloads);
    microsoft.remove(mailbox.id, first.id);
    assert.equal((await sync()).skipped_count, 1);
    assert.equal((await messages()).length, 3);

    microsoft.deliver(mailbox.id, { from: { address: 'bob@example.org' }, subject: 'Any news?', text: 'Well?' });
    const third = await sync();
    assert.equal(third.created_count, 1);
    assert.equal((await messages()).length, 4);
    const shown = await status();
    assert.equal(shown.last_sync_status, 'succeeded');
    assert.equal(shown.last_sync_id, third.id);
  });

  test('a run failing after page 1 resumes there: no duplicates, no gaps', async () => {
    const delivered = deliverMany(DELTA_PAGE_SIZE + 5);
    microsoft.failNext({ path: '/delta', query: '$skiptoken', status: 500 });
    const run = await sync();
    assert.equal(run.status, 'queued', run.error);
    assert.equal(run.pages, 1);
    assert.equal(run.created_count, DELTA_PAGE_SIZE);
    await runSyncs(Date.now() + HOUR);
    const done = (await call('GET', `/v1/integration-syncs/${run.id}`)).body.data;
    assert.equal(done.status, 'succeeded', done.error);
    assert.equal(done.created_count, DELTA_PAGE_SIZE + 5);
    const bodies = (await messages()).map((m) => m.body).sort();
    assert.deepEqual(bodies, delivered.map((m) => m.body.content).sort());
  });

  test('a worker that died mid-run: its lease lapses and the next worker resumes', async () => {
    deliverMany(DELTA_PAGE_SIZE + 5);
    microsoft.failNext({ path: '/delta', query: '$skiptoken', status: 503 });
    const run = await sync();
    // As if the worker died holding the run: still `running`, its lease over.
    await systemQuery(t.db, {
      sql: `UPDATE integration_syncs SET status = 'running', claimed_until = now() - interval '1 second',
                   run_after = now() + interval '1 hour' WHERE id = $1`,
      parameters: [run.id],
    });
    await runSyncs();
    const done = (await call('GET', `/v1/integration-syncs/${run.id}`)).body.data;
    assert.equal(done.status, 'succeeded', done.error);
    assert.equal((await messages()).length, DELTA_PAGE_SIZE + 5);
  });

  test('429: the run waits for Retry-After, then goes on', async () => {
    await sync();
    microsoft.deliver(mailbox.id, { from: { address: 'c@example.net' }, subject: 'Hi', text: 'Hello' });
    microsoft.failNext({ path: '/delta', status: 429, retryAfter: 120 });
    const run = await sync();
    const started = Date.parse(run.updated_at);
    assert.equal(run.status, 'queued');
    assert.match(run.error, /slow down/);
    const waitMs = Date.parse(run.run_after) - started;
    assert.ok(waitMs >= 119_000 && waitMs <= 125_000, `waits ${waitMs} ms`);
    assert.equal(await runSyncs(started + 60_000), 0, 'not before Retry-After');
    await runSyncs(started + 121_000);
    const done = (await call('GET', `/v1/integration-syncs/${run.id}`)).body.data;
    assert.equal(done.status, 'succeeded', done.error);
    assert.equal(done.created_count, 1);
  });

  test('a malformed or huge answer fails the run, shows error, writes nothing; the next run recovers', async () => {
    deliverMany(2);
    microsoft.failNext({
      path: '/delta',
      raw: JSON.stringify({ '@odata.deltaLink': `${microsoft.url}/v1.0/x`, value: [{ id: 5, subject: [] }] }),
    });
    const malformed = await sync();
    assert.equal(malformed.status, 'failed');
    assert.match(malformed.error, /not the documented shape/);
    assert.equal((await status()).status, 'error');
    assert.equal((await messages()).length, 0);

    microsoft.failNext({ path: '/delta', raw: `{"value": [], "x": "${'x'.repeat(17 * 1024 * 1024)}"}` });
    assert.match((await sync()).error, /too large/);
    microsoft.failNext({ path: '/delta', raw: '<html>Service Unavailable' });
    assert.match((await sync()).error, /not JSON/);
    // A delta link that leads away from Graph: refused before the token could go with it.
    microsoft.failNext({
      path: '/delta',
      raw: JSON.stringify({ '@odata.nextLink': 'http://127.0.0.2:9/x', value: [] }),
    });
    const away = await sync();
    assert.match(away.error, /outside Microsoft Graph/);
    assert.equal((await messages()).length, 0);

    const recovered = await sync();
    assert.equal(recovered.status, 'succeeded', recovered.error);
    assert.equal((await messages()).length, 2);
    assert.equal((await status()).status, 'connected');
  });

  test('a delta link Graph no longer knows (410) starts a new round, without duplicates', async () => {
    deliverMany(2);
    await sync();
    microsoft.deliver(mailbox.id, { from: { address: 'late@example.net' }, subject: 'Late', text: 'Late mail' });
    microsoft.expireSyncState(mailbox.id);
    const run = await sync();
    assert.equal(run.status, 'succeeded', run.error);
    assert.equal(run.created_count, 1);
    assert.equal(run.skipped_count, 2);
    assert.equal((await messages()).length, 3);
  });
});

describe('sending through Microsoft 365', () => {
  beforeEach(async () => {
    account = await t.newAccount('Outlook Co');
    mailbox = (await connect(account.key)).user;
  });

  test('a reply in an imported conversation is a createReply in its Outlook conversation', async () => {
    const original = microsoft.deliver(mailbox.id, {
      from: { address: 'ada@example.net' },
      subject: 'Boiler',
      text: 'It rattles.',
    });
    await sync();
    const [conversation] = (await call('GET', '/v1/conversations')).body.data;
    const sent = await call('POST', '/v1/messages/send', { conversation_id: conversation.id, body: 'Tuesday — ok?' });
    assert.equal(sent.status, 200, sent.text);
    assert.equal(sent.body.data.status, 'queued');
    const smtp = await systemQuery(t.db, {
      sql: 'SELECT 1 FROM mail_outbox WHERE account_id = $1',
      parameters: [account.id],
    });
    assert.equal(smtp.length, 0, 'not queued for SMTP');

    assert.equal(await sendMail(), 1);
    const out = mailbox.sent.at(-1)!;
    assert.equal(out.kind, 'reply');
    assert.equal(out.replyTo, original.id);
    assert.equal(out.conversationId, original.conversationId);
    assert.deepEqual(out.message.toRecipients, [{ emailAddress: { address: 'ada@example.net' } }]);
    assert.deepEqual(out.message.body, { contentType: 'Text', content: 'Tuesday — ok?' });
    const message = (await call('GET', `/v1/messages/${sent.body.data.id}`)).body.data;
    assert.equal(message.status, 'sent');

    // The customer answers in the same Outlook conversation: it joins ours.
    microsoft.deliver(mailbox.id, {
      from: { address: 'ada@example.net' },
      subject: 'RE: Boiler',
      text: 'Yes',
      inReplyTo: original.id,
    });
    const run = await sync();
    assert.equal(run.created_count, 1);
    const all = await messages();
    assert.equal(new Set(all.map((m) => m.conversation_id)).size, 1);
  });

  test('POST /v1/integrations/microsoft/send in a new conversation: a new message, drafted then sent', async () => {
    const conversation = (
      await call('POST', '/v1/conversations', {
        channel: 'email',
        subject: 'Your quote',
        participant_address: 'new@example.net',
      })
    ).body.data;
    const sent = await call('POST', '/v1/integrations/microsoft/send', {
      conversation_id: conversation.id,
      body: 'Attached.',
    });
    assert.equal(sent.status, 200, sent.text);
    assert.equal(await sendMail(), 1);
    const out = mailbox.sent.at(-1)!;
    assert.equal(out.kind, 'new');
    assert.equal(out.message.subject, 'Your quote');
    assert.deepEqual(out.message.toRecipients, [{ emailAddress: { address: 'new@example.net' } }]);
    assert.deepEqual(out.message.body, { contentType: 'Text', content: 'Attached.' });

    const [link] = await systemQuery(t.db, {
      sql: `SELECT external_id FROM integration_links WHERE account_id = $1 AND collection = 'conversations'`,
      parameters: [account.id],
    });
    assert.equal(link.external_id, out.conversationId, 'the conversation is linked to its Outlook conversation');

    // Graph fails the send once: the draft is deleted, and the relay's next try sends one message.
    const second = await call('POST', '/v1/integrations/microsoft/send', {
      conversation_id: conversation.id,
      body: 'And?',
    });
    assert.equal(second.status, 200, second.text);
    microsoft.failNext({ path: '/send', status: 503 });
    assert.equal(await sendMail(), 0);
    assert.equal(mailbox.drafts.size, 0, 'no draft left behind');
    assert.equal(await sendMail(Date.now() + HOUR), 1);
    assert.equal(mailbox.sent.length, 2);
    assert.equal(mailbox.sent[1].kind, 'reply', 'in the conversation the first message started');
    assert.equal(mailbox.sent[1].conversationId, out.conversationId);

    await call('DELETE', '/v1/integrations/microsoft');
    assert.equal((await status()).status, 'disconnected');
    const notConnected = await call('POST', '/v1/integrations/microsoft/send', {
      conversation_id: conversation.id,
      body: 'x',
    });
    assert.equal(notConnected.status, 409);
  });
});
