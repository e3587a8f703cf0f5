// Gmail messages as Fieldline reads and writes them: a `format=full` message read into its
// addresses, subject, text and attachments; and an outgoing message written as the RFC 2822
// (RFC 5322) text Gmail's messages.send takes as `raw`, with threading headers when it replies.
import type { MailboxMessage } from '../connector.ts';
import type { GmailMessage, GmailPart } from './gmail-api.ts';
import { textOfHtml } from '../mail-text.ts';

export interface ReadMessage {
  gmailId: string;
  threadId: string;
  from: string | null;
  to: string | null;
  subject: string | null;
  text: string;
  messageIdHeader: string | null;
  references: string[];
  /** Sent from the mailbox itself (Gmail's SENT label). */
  sentByMailbox: boolean;
  draft: boolean;
  attachments: { partId: string; filename: string; mimeType: string; attachmentId?: string; data?: string }[];
}

const header = (part: GmailPart, name: string) =>
  part.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value ?? null;

/** `"Ada" <ada@example.com>` -> `ada@example.com`; the first address of a list. */
export function addressOf(value: string | null): string | null {
  if (!value) return null;
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(value);
  const bare = /([^\s<>",;]+@[^\s<>",;]+)/.exec(value);
  const address = (angle?.[1] ?? bare?.[1] ?? '').trim().toLowerCase();
  return address.length > 3 && address.length <= 320 ? address : null;
}

const decode = (data: string | undefined) => (data ? Buffer.from(data, 'base64url').toString('utf8') : '');

/** All parts, depth first. */
function* partsOf(part: GmailPart): Generator<GmailPart> {
  yield part;
  for (const child of part.parts ?? []) yield* partsOf(child);
}

export function readGmailMessage(message: GmailMessage): ReadMessage {
  const parts = [...partsOf(message.payload)];
  const attachments = parts
    .filter((part) => part.filename && (part.body?.attachmentId || part.body?.data))
    .map((part, index) => ({
      partId: part.partId || String(index),
      filename: part.filename!.slice(0, 255),
      mimeType: part.mimeType ?? 'application/octet-stream',
      attachmentId: part.body?.attachmentId,
      data: part.body?.attachmentId ? undefined : part.body?.data,
    }));
  const plain = parts.find((part) => part.mimeType === 'text/plain' && !part.filename && part.body?.data);
  const html = parts.find((part) => part.mimeType === 'text/html' && !part.filename && part.body?.data);
  const text = plain ? decode(plain.body!.data) : html ? textOfHtml(decode(html.body!.data)) : (message.snippet ?? '');
  const references = (header(message.payload, 'References') ?? '').match(/<[^<>\s]+>/g) ?? [];
  const labels = message.labelIds ?? [];
  return {
    gmailId: message.id,
    threadId: message.threadId,
    from: addressOf(header(message.payload, 'From')),
    to: addressOf(header(message.payload, 'To')),
    subject: header(message.payload, 'Subject'),
    text: text.replace(/\r\n/g, '\n').trim(),
    messageIdHeader: header(message.payload, 'Message-ID')?.trim() ?? null,
    references: references.slice(-20),
    sentByMailbox: labels.includes('SENT'),
    draft: labels.includes('DRAFT'),
    attachments,
  };
}

/** A header value on one line: no CR or LF can start another header. */
const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ').trim();

/** RFC 2047 encoded-word for a value that is not plain ASCII. */
const encodedWord = (value: string) =>
  /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;

/** The RFC 2822 text of `message`, UTF-8 body in base64 (lines of 76). Gmail adds From and Date. */
export function rawMessage(message: MailboxMessage): string {
  const headers = [
    `To: ${oneLine(message.to)}`,
    `Subject: ${encodedWord(oneLine(message.subject))}`,
    ...(message.messageId ? [`Message-ID: ${oneLine(message.messageId)}`] : []),
    ...(message.inReplyTo ? [`In-Reply-To: ${oneLine(message.inReplyTo)}`] : []),
    ...(message.references?.length ? [`References: ${message.references.map(oneLine).join(' ')}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
  ];
  const body = Buffer.from(message.text, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  return `${headers.join('\r\n')}\r\n\r\n${body}\r\n`;
}
