import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressOf, rawMessage, readGmailMessage } from './gmail-message.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64url');

test('rawMessage: one header per line whatever the subject holds; non-ASCII subjects encoded (RFC 2047)', () => {
  const raw = rawMessage({
    to: 'ada@example.net\r\nBcc: everyone@example.net',
    subject: 'Devis révisé\r\nBcc: x@example.net',
    text: 'Bonjour — à mardi',
    inReplyTo: '<a@mail.example>',
    references: ['<z@mail.example>', '<a@mail.example>'],
    messageId: '<msg_1@fieldline.invalid>',
  });
  const [head, body] = raw.split('\r\n\r\n');
  const lines = head.split('\r\n');
  assert.ok(!lines.some((line) => line.startsWith('Bcc:')), 'no injected header');
  assert.equal(lines[0], 'To: ada@example.net Bcc: everyone@example.net');
  assert.match(lines[1], /^Subject: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
  const subject = Buffer.from(/\?B\?(.*)\?=/.exec(lines[1])![1], 'base64').toString('utf8');
  assert.equal(subject, 'Devis révisé Bcc: x@example.net');
  assert.ok(lines.includes('In-Reply-To: <a@mail.example>'));
  assert.ok(lines.includes('References: <z@mail.example> <a@mail.example>'));
  assert.ok(lines.includes('Message-ID: <msg_1@fieldline.invalid>'));
  assert.equal(Buffer.from(body, 'base64').toString('utf8'), 'Bonjour — à mardi');
});

test('addressOf: the address of a display form, lowercased; nothing for what holds none', () => {
  assert.equal(addressOf('"Lovelace, Ada" <Ada@Example.NET>'), 'ada@example.net');
  assert.equal(addressOf('bob@example.org, carol@example.org'), 'bob@example.org');
  assert.equal(addressOf('undisclosed-recipients:;'), null);
  assert.equal(addressOf(null), null);
});

test('readGmailMessage: text/plain first, else the text of text/html; drafts and sent mail flagged', () => {
  const html = readGmailMessage({
    id: 'm1',
    threadId: 't1',
    labelIds: ['SENT'],
    payload: {
      mimeType: 'multipart/alternative',
      headers: [
        { name: 'From', value: 'me@example.com' },
        { name: 'to', value: 'Ada <ada@example.net>' },
        { name: 'References', value: '<a@x> <b@x>' },
      ],
      parts: [
        { mimeType: 'text/html', body: { data: b64('<p>Hi &amp; bye</p><script>x()</script>') } },
        { mimeType: 'application/pdf', filename: 'quote.pdf', partId: '2', body: { attachmentId: 'A1', size: 9 } },
      ],
    },
  });
  assert.equal(html.text, 'Hi & bye');
  assert.equal(html.to, 'ada@example.net');
  assert.equal(html.sentByMailbox, true);
  assert.deepEqual(html.references, ['<a@x>', '<b@x>']);
  assert.deepEqual(
    html.attachments.map((a) => [a.filename, a.attachmentId]),
    [['quote.pdf', 'A1']],
  );
  const plain = readGmailMessage({
    id: 'm2',
    threadId: 't1',
    labelIds: ['DRAFT'],
    payload: {
      mimeType: 'multipart/alternative',
      parts: [
        { mimeType: 'text/html', body: { data: b64('<b>html</b>') } },
        { mimeType: 'text/plain', body: { data: b64('plain\r\ntext') } },
      ],
    },
  });
  assert.equal(plain.text, 'plain\ntext');
  assert.equal(plain.draft, true);
});
