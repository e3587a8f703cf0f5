// Attachments of mail imported from a connected mailbox, through the API: listed under their
// message (GET /v1/messages/{id}/attachments: name, content type, size) and downloaded
// (GET /v1/messages/{id}/attachments/{attachment_id}) as an attachment, never rendered; scoped by
// read:messages; another account's message and its attachments are 404. Against the local
// Gmail and Microsoft Graph fakes on 127.0.0.1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { syncRunner } from '../src/integrations/integration-operations.ts';
import { createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { startFakeGoogle, type FakeGoogle } from './support/fake-google.ts';
import { startFakeMicrosoft, type FakeMicrosoft } from './support/fake-microsoft.ts';
import { connectGmail } from './support/gmail-connect.ts';
import { assertProblem } from './support/problem-assertions.ts';

let google: FakeGoogle;
let microsoft: FakeMicrosoft;
let t: TestContext;
let account: TestAccount;
let other: TestAccount;
let gmailAddress: string;

before(async () => {
  google = await startFakeGoogle();
  microsoft = await startFakeMicrosoft();
  t = await createTestContext({ integrations: { ...google.settings, ...microsoft.settings } });
  account = await t.newAccount('Attachments Co');
  other = await t.newAccount('Other Co');
  gmailAddress = (await connectGmail(t, account.key, google)).email;
});
after(async () => {
  await t.close();
  await google.close();
  await microsoft.close();
});

const call = (method: string, path: string, key = account.key) => t.call(method, path, { key });

async function connectOutlook() {
  const user = microsoft.addUser('attachments@contoso.example', 'Contoso Office');
  const start = await call('GET', '/v1/integrations/microsoft/authorize');
  assert.equal(start.status, 302, start.text);
  const signIn = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  const back = new URL(signIn.headers.get('location')!);
  assert.equal((await t.call('GET', `${back.pathname}${back.search}`)).status, 200);
  return user;
}

async function sync(provider: string) {
  const started = await t.call('POST', `/v1/integrations/${provider}/sync`, { key: account.key, body: {} });
  assert.equal(started.status, 202, started.text);
  await t.runtime.use(syncRunner).runDue(Date.now(), { accountIds: [account.id] });
  const run = (await call('GET', `/v1/integration-syncs/${started.body.data.id}`)).body.data;
  assert.equal(run.status, 'succeeded', run.error);
}

/** The imported message whose body starts with `text`. */
async function messageWith(text: string) {
  const all = (await call('GET', '/v1/messages?limit=100')).body.data as any[];
  const found = all.find((m) => m.body.startsWith(text));
  assert.ok(found, `a message '${text}'`);
  return found;
}

describe('message attachments', () => {
  let gmailMessage: any;
  let listed: any[];

  test('a Gmail message lists its attachments: name, content type, size, download path', async () => {
    google.deliver(gmailAddress, {
      from: 'ada@example.net',
      subject: 'Photos',
      text: 'Two files.',
      attachments: [
        { id: 'a1', filename: 'boiler.jpg', mimeType: 'image/jpeg', content: Buffer.from('jpeg-bytes') },
        {
          id: 'a2',
          filename: 'quote "final"\r\nX-Evil: 1.txt',
          mimeType: 'Text/Plain; charset="utf-8"',
          content: Buffer.from('plain words'),
        },
      ],
    });
    google.deliver(gmailAddress, { from: 'bob@example.org', subject: 'No files', text: 'Just text.' });
    await sync('gmail');
    gmailMessage = await messageWith('Two files.');
    const answer = await call('GET', `/v1/messages/${gmailMessage.id}/attachments`);
    assert.equal(answer.status, 200, answer.text);
    listed = answer.body.data;
    assert.deepEqual(
      listed.map((a) => [a.object, a.provider, a.filename, a.content_type, a.size_bytes, a.message_id]),
      [
        ['message_attachment', 'gmail', 'boiler.jpg', 'image/jpeg', 10, gmailMessage.id],
        [
          'message_attachment',
          'gmail',
          'quote "final"\r\nX-Evil: 1.txt',
          'application/octet-stream',
          11,
          gmailMessage.id,
        ],
      ],
    );
    assert.ok(listed.every((a) => /^matt_[0-9a-f]{24}$/.test(a.id)));
    assert.equal(listed[0].download_path, `/v1/messages/${gmailMessage.id}/attachments/${listed[0].id}`);
    assert.equal(answer.body.page.has_more, false);

    const none = await call('GET', `/v1/messages/${(await messageWith('Just text.')).id}/attachments`);
    assert.deepEqual(none.body.data, []);

    // Synced again: nothing new, the same ids.
    await sync('gmail');
    const again = (await call('GET', `/v1/messages/${gmailMessage.id}/attachments`)).body.data;
    assert.deepEqual(
      again.map((a: any) => a.id),
      listed.map((a) => a.id),
    );
  });

  test('downloads give the bytes as an attachment, with a safe name and nosniff', async () => {
    const image = await call('GET', listed[0].download_path);
    assert.equal(image.status, 200, image.text);
    assert.equal(image.text, 'jpeg-bytes');
    assert.equal(image.headers.get('content-type'), 'image/jpeg');
    assert.equal(
      image.headers.get('content-disposition'),
      `attachment; filename="boiler.jpg"; filename*=UTF-8''boiler.jpg`,
    );
    assert.equal(image.headers.get('x-content-type-options'), 'nosniff');
    const text = await call('GET', listed[1].download_path);
    assert.equal(text.status, 200, text.text);
    assert.equal(text.text, 'plain words');
    assert.equal(text.headers.get('content-type'), 'application/octet-stream');
    assert.equal(
      text.headers.get('content-disposition'),
      `attachment; filename="quote _final___X-Evil_ 1.txt"; filename*=UTF-8''quote%20_final___X-Evil_%201.txt`,
    );
    assert.equal(text.headers.get('x-evil'), null);
  });

  test('a Microsoft 365 message lists and downloads its attachment', async () => {
    const outlook = await connectOutlook();
    microsoft.deliver(outlook.id, {
      from: { address: 'carol@example.com' },
      subject: 'Invoice',
      text: 'The PDF.',
      attachments: [{ name: 'invoice.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 fake') }],
    });
    await sync('microsoft');
    const message = await messageWith('The PDF.');
    const [attachment] = (await call('GET', `/v1/messages/${message.id}/attachments`)).body.data;
    assert.deepEqual(
      [attachment.provider, attachment.filename, attachment.content_type, attachment.size_bytes],
      ['microsoft', 'invoice.pdf', 'application/pdf', 13],
    );
    const file = await call('GET', attachment.download_path);
    assert.equal(file.status, 200, file.text);
    assert.equal(file.text, '%PDF-1.4 fake');
    assert.equal(file.headers.get('content-type'), 'application/pdf');
  });

  test('unknown or malformed attachment ids and unknown messages are 404', async () => {
    const base = `/v1/messages/${gmailMessage.id}/attachments`;
    assertProblem(await call('GET', `${base}/matt_000000000000000000000000`), 404, 'not_found');
    assertProblem(await call('GET', `${base}/../../contacts`), 404, 'not_found');
    assertProblem(await call('GET', `${base}/x'--`), 404, 'not_found');
    assertProblem(await call('GET', '/v1/messages/msg_01ARZ3NDEKTSV4RRFFQ69G5FAV/attachments'), 404, 'not_found');
    assertProblem(await call('GET', '/v1/messages/nonsense/attachments'), 404, 'not_found');
  });

  test("another account's message and attachments are 404; read:messages is required", async () => {
    assertProblem(await call('GET', `/v1/messages/${gmailMessage.id}/attachments`, other.key), 404, 'not_found');
    assertProblem(await call('GET', listed[0].download_path, other.key), 404, 'not_found');
    const narrow = await t.newKey(account.id, ['read:contacts']);
    const refused = assertProblem(await call('GET', listed[0].download_path, narrow), 403, 'insufficient_scope');
    assert.equal(refused.required_scope, 'read:messages');
    assertProblem(await call('GET', `/v1/messages/${gmailMessage.id}/attachments`, narrow), 403, 'insufficient_scope');
    const reader = await t.newKey(account.id, ['read:messages']);
    assert.equal((await call('GET', listed[0].download_path, reader)).status, 200);
  });

  test('the OpenAPI document declares both operations with read:messages', () => {
    const list = t.openapi.paths['/v1/messages/{id}/attachments']?.get;
    const download = t.openapi.paths['/v1/messages/{id}/attachments/{attachment_id}']?.get;
    assert.equal(list?.operationId, 'listMessageAttachments');
    assert.equal(download?.operationId, 'downloadMessageAttachment');
    assert.ok(JSON.stringify(list.security ?? list['x-required-scopes'] ?? list).includes('read:messages'));
    assert.ok(download.responses['200'].content['application/octet-stream']);
  });
});
