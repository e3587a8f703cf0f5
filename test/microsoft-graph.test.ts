// The Microsoft Graph client against the local fake of Microsoft (identity platform + Graph):
// PKCE at the token endpoint, the inbox delta query (pages, delta links, removals, 410), file
// attachments within a size limit, replies kept in their conversation, and answers that are not
// what Microsoft documents (not JSON, too large, a link leading elsewhere) refused clearly.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  MAX_ANSWER_BYTES,
  NeedsReauth,
  ProviderAnswerInvalid,
  ProviderRateLimited,
  callProvider,
  providerApi,
} from '../src/integrations/provider-api.ts';
import { graphClient, syncStateGone, DELTA_PAGE_SIZE } from '../src/integrations/microsoft/graph-client.ts';
import { startFakeMicrosoft, type FakeMicrosoft } from './support/fake-microsoft.ts';

let fake: FakeMicrosoft;
const REDIRECT = 'http://127.0.0.1:9/v1/integrations/microsoft/callback';
const Tokens = z.object({ access_token: z.string(), refresh_token: z.string() });

before(async () => {
  fake = await startFakeMicrosoft();
});
after(() => fake.close());

/** The authorization code flow by hand: authorize (the fake consents at once), then the token endpoint. */
async function signIn(verifier = randomBytes(32).toString('base64url'), sentVerifier = verifier) {
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authorize = new URL(`${fake.url}/common/oauth2/v2.0/authorize`);
  authorize.search = new URLSearchParams({
    client_id: fake.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'offline_access User.Read Mail.ReadWrite',
    state: 'st4te',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  const consent = await fetch(authorize, { redirect: 'manual' });
  assert.equal(consent.status, 302);
  const back = new URL(consent.headers.get('location')!);
  assert.equal(back.searchParams.get('state'), 'st4te');
  return callProvider(`${fake.url}/common/oauth2/v2.0/token`, Tokens, {
    form: {
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      redirect_uri: REDIRECT,
      code_verifier: sentVerifier,
    },
  });
}

async function clientFor(mail: string) {
  const mailbox = fake.addUser(mail);
  let tokens = await signIn();
  const refresh = async () => {
    tokens = await callProvider(`${fake.url}/common/oauth2/v2.0/token`, Tokens, {
      form: {
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
      },
    });
    return tokens.access_token;
  };
  const api = providerApi(async () => tokens.access_token, refresh);
  return { mailbox, graph: graphClient(api, `${fake.url}/v1.0`) };
}

const from = { name: 'Ada Customer', address: 'ada@customer.example' };

describe('identity platform (fake)', () => {
  test('a code redeemed with the wrong PKCE verifier is invalid_grant', async () => {
    fake.addUser('pkce@tenant.example');
    await assert.rejects(signIn('right-verifier-right-verifier-right-verifier', 'wrong'), NeedsReauth);
  });

  test('an expired access token is refreshed once, then the call succeeds', async () => {
    const { graph } = await clientFor('refresh@tenant.example');
    fake.expireAccessTokens();
    const me = await graph.me();
    assert.equal(me.mail, 'refresh@tenant.example');
  });

  test('a revoked grant answers invalid_grant on refresh: NeedsReauth', async () => {
    const { graph, mailbox } = await clientFor('revoked@tenant.example');
    fake.revokeGrant(mailbox.id);
    fake.expireAccessTokens();
    await assert.rejects(graph.me(), NeedsReauth);
  });
});

describe('inbox delta', () => {
  test('pages to a delta link, then only what changed, removals included', async () => {
    const { graph, mailbox } = await clientFor('delta@tenant.example');
    for (let i = 0; i < DELTA_PAGE_SIZE + 3; i++)
      fake.deliver(mailbox.id, { from, subject: `Hello ${i}`, text: `Message ${i}` });
    const first = await graph.inboxDeltaPage(null);
    assert.equal(first.changes.length, DELTA_PAGE_SIZE);
    assert.ok(first.nextLink && !first.deltaLink);
    const second = await graph.inboxDeltaPage(first.nextLink);
    assert.equal(second.changes.length, 3);
    assert.ok(second.deltaLink && !second.nextLink);
    const subjects = [...first.changes, ...second.changes].map((change) =>
      change.kind === 'upsert' ? change.message.subject : null,
    );
    assert.equal(new Set(subjects).size, DELTA_PAGE_SIZE + 3);
    // Only the properties asked for came back: no bodyPreview.
    const request = fake.requests.findLast((entry) => entry.path.includes('/delta'))!;
    assert.match(String(request.headers.prefer), /odata\.maxpagesize=25/);

    const quiet = await graph.inboxDeltaPage(second.deltaLink);
    assert.deepEqual(quiet.changes, []);
    const removed = first.changes[0].kind === 'upsert' ? first.changes[0].message.id : '';
    fake.remove(mailbox.id, removed);
    fake.deliver(mailbox.id, { from, subject: 'Later', text: 'One more' });
    const next = await graph.inboxDeltaPage(quiet.deltaLink);
    assert.deepEqual(
      next.changes.map((change) => change.kind),
      ['removed', 'upsert'],
    );
  });

  test('an expired sync state is a 410; a link leading outside Graph is refused before any call', async () => {
    const { graph, mailbox } = await clientFor('gone@tenant.example');
    const round = await graph.inboxDeltaPage(null);
    fake.expireSyncState(mailbox.id);
    const gone = await graph.inboxDeltaPage(round.deltaLink).catch((error) => error);
    assert.ok(syncStateGone(gone), String(gone));
    const calls = fake.requests.length;
    await assert.rejects(graph.inboxDeltaPage('http://127.0.0.2:1/v1.0/me/steal'), ProviderAnswerInvalid);
    assert.equal(fake.requests.length, calls);
  });

  test('malformed, oversized and throttled answers are the framework errors', async () => {
    const { graph } = await clientFor('broken@tenant.example');
    fake.failNext({ path: '/delta', raw: '{"value": [' });
    await assert.rejects(graph.inboxDeltaPage(null), ProviderAnswerInvalid);
    fake.failNext({ path: '/delta', raw: JSON.stringify({ value: [{ id: 'x', subject: 1 }] }) });
    await assert.rejects(graph.inboxDeltaPage(null), ProviderAnswerInvalid);
    fake.failNext({ path: '/delta', raw: `{"value": [], "pad": "${'x'.repeat(MAX_ANSWER_BYTES)}"}` });
    await assert.rejects(graph.inboxDeltaPage(null), /too large/);
    fake.failNext({ path: '/delta', status: 429, retryAfter: 7 });
    const throttled = await graph.inboxDeltaPage(null).catch((error) => error);
    assert.ok(throttled instanceof ProviderRateLimited);
    assert.equal(throttled.retryAfterMs, 7000);
  });
});

describe('attachments and sending', () => {
  test('file attachments within the limit come with their bytes; larger ones are listed only', async () => {
    const { graph, mailbox } = await clientFor('files@tenant.example');
    const small = Buffer.from('%PDF-1.4 small');
    const message = fake.deliver(mailbox.id, {
      from,
      subject: 'Photos',
      text: 'See attached',
      attachments: [
        { name: 'quote.pdf', contentType: 'application/pdf', content: small },
        { name: 'big.bin', contentType: 'application/octet-stream', content: Buffer.alloc(2048, 1) },
      ],
    });
    const attachments = await graph.fileAttachments(message.id, 1024);
    assert.deepEqual(
      attachments.map((attachment) => [attachment.name, attachment.size, attachment.content?.toString() ?? null]),
      [
        ['quote.pdf', small.length, small.toString()],
        ['big.bin', 2048, null],
      ],
    );
  });

  test('a reply found by Message-ID is drafted with createReply and sent in the same conversation', async () => {
    const { graph, mailbox } = await clientFor('reply@tenant.example');
    const inbound = fake.deliver(mailbox.id, { from, subject: "It's leaking", text: 'Help' });
    const id = await graph.messageIdOf(inbound.internetMessageId);
    assert.equal(id, inbound.id);
    assert.equal(await graph.messageIdOf('<nobody@nowhere>'), null);
    assert.equal(await graph.latestInConversation(inbound.conversationId), inbound.id);
    const sent = await graph.sendReply(inbound.id, { to: from.address, subject: 'ignored', text: 'On our way' });
    assert.equal(sent.conversationId, inbound.conversationId);
    const [reply] = mailbox.sent;
    assert.equal(reply.kind, 'reply');
    assert.equal(reply.replyTo, inbound.id);
    assert.equal(reply.message.subject, "RE: It's leaking");
    assert.deepEqual(reply.message.body, { contentType: 'Text', content: 'On our way' });
    assert.deepEqual(reply.message.toRecipients, [{ emailAddress: { address: from.address } }]);

    await graph.sendNew({ to: 'bob@customer.example', subject: 'Quote', text: 'Attached is the quote' });
    assert.equal(mailbox.sent[1].kind, 'new');
    assert.equal(mailbox.sent[1].message.subject, 'Quote');
  });
});
