// Writing fetched Gmail messages into conversations and messages, inside the sync page's
// transaction. A message already linked is skipped; a thread already linked gets the message in
// its conversation; otherwise a new email conversation is opened, with the contact whose email
// is the other party's address (and that contact's customer). Mail the mailbox sent itself
// (Gmail's SENT label) is recorded as outbound; drafts are skipped.
import type { Row } from '../../db/database.ts';
import { insertValidated } from '../../platform/operations/create.ts';
import type { SyncWrite } from '../connector.ts';
import type { ReadMessage } from './gmail-message.ts';

/** An attachment stored before the page's transaction: where, and what it was. */
export interface StoredAttachment {
  key: string;
  partId: string;
  filename: string;
  mimeType: string;
  size: number;
}

export interface FetchedMessage {
  message: ReadMessage;
  attachments: StoredAttachment[];
}

const clip = (text: string | null, max: number) => (text ? text.slice(0, max) : null);

async function contactOf(write: SyncWrite, address: string | null): Promise<Row | undefined> {
  if (!address) return undefined;
  const [contact] = await write.ctx.tx.query({
    sql: `SELECT id, customer_id FROM contacts
           WHERE account_id = $1 AND lower(email) = $2 AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1`,
    parameters: [write.ctx.tx.accountId, address.toLowerCase()],
  });
  return contact;
}

/** The conversation of the message's thread: the linked one if it still exists, else a new one. */
async function conversationOf(write: SyncWrite, message: ReadMessage, counterpart: string | null): Promise<string> {
  const { ctx, links } = write;
  const linked = await links.find('conversations', message.threadId);
  if (linked) {
    const [exists] = await ctx.tx.query({
      sql: 'SELECT id FROM conversations WHERE account_id = $1 AND id = $2',
      parameters: [ctx.tx.accountId, linked.recordId],
    });
    if (exists) return linked.recordId;
  }
  const contact = await contactOf(write, counterpart);
  const fields = {
    channel: 'email',
    subject: clip(message.subject, 200),
    contact_id: contact?.id,
    customer_id: contact?.customer_id,
    participant_address: counterpart,
  };
  const conversation = await ctx.create(
    'conversations',
    Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null && value !== undefined)),
  );
  links.upsert({ collection: 'conversations', recordId: conversation.id, externalId: message.threadId });
  return conversation.id;
}

/** Imports one fetched message (idempotent: a linked message is counted as skipped). */
export async function importGmailMessage(write: SyncWrite, fetched: FetchedMessage): Promise<void> {
  const { ctx, links, tally } = write;
  const { message } = fetched;
  if (message.draft) return tally.skipped();
  if (await links.find('messages', message.gmailId)) return tally.skipped();
  const outbound = message.sentByMailbox;
  const counterpart = outbound ? message.to : message.from;
  const conversationId = await conversationOf(write, message, counterpart);
  const attachmentNote = fetched.attachments.length
    ? `\n\n[Attachments: ${fetched.attachments.map((a) => a.filename).join(', ')}]`
    : '';
  const body = (message.text || '(no text)').slice(0, 20_000 - attachmentNote.length) + attachmentNote;
  const row = await insertValidated(ctx, ctx.registry.get('messages'), {
    conversation_id: conversationId,
    direction: outbound ? 'outbound' : 'inbound',
    subject: clip(message.subject, 300),
    body,
    from_address: clip(message.from, 320),
    to_address: outbound ? clip(message.to, 320) : null,
    status: outbound ? 'sent' : 'received',
  });
  links.upsert({
    collection: 'messages',
    recordId: row.id,
    externalId: message.gmailId,
    metadata: {
      thread_id: message.threadId,
      message_id_header: message.messageIdHeader,
      references: message.references,
    },
  });
  for (const attachment of fetched.attachments)
    links.upsert({
      collection: 'message-attachments',
      recordId: attachment.key,
      externalId: `${message.gmailId}/${attachment.partId}`,
      metadata: {
        message_id: row.id,
        filename: attachment.filename,
        mime_type: attachment.mimeType,
        size: attachment.size,
      },
    });
  tally.created();
}
