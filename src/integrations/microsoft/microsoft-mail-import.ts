// Writing fetched Outlook messages into conversations and messages, inside the sync page's
// transaction. A message already linked is skipped; a conversation already linked (Graph's
// conversationId) gets the message; otherwise a new email conversation is opened with the contact
// whose email is the sender's address (and that contact's customer). Drafts are skipped.
import type { Row } from '../../db/database.ts';
import { insertValidated } from '../../platform/operations/create.ts';
import type { SyncWrite } from '../connector.ts';
import type { GraphMessage } from './graph-shapes.ts';
import { textOfHtml } from '../mail-text.ts';

/** An attachment stored before the page's transaction: where, and what it was. */
export interface StoredAttachment {
  key: string;
  index: number;
  filename: string;
  contentType: string;
  size: number;
}

export interface FetchedMail {
  message: GraphMessage;
  attachments: StoredAttachment[];
  /** Attachments named but not stored (over the size limit). */
  notStored: string[];
}

const clip = (text: string | null | undefined, max: number) => (text ? text.slice(0, max) : null);

/** An address as we keep it: lowercased, or null when Graph gave none usable. */
export function addressOf(address: string | null | undefined): string | null {
  const clean = (address ?? '').trim().toLowerCase();
  return /^[^@\s]+@[^@\s]+$/.test(clean) && clean.length <= 320 ? clean : null;
}

function textOf(message: GraphMessage): string {
  const body = message.body;
  if (!body) return '';
  return (body.contentType === 'html' ? textOfHtml(body.content) : body.content).replace(/\r\n/g, '\n').trim();
}

async function contactOf(write: SyncWrite, address: string | null): Promise<Row | undefined> {
  if (!address) return undefined;
  const [contact] = await write.ctx.tx.query({
    sql: `SELECT id, customer_id FROM contacts
           WHERE account_id = $1 AND lower(email) = $2 AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1`,
    parameters: [write.ctx.tx.accountId, address],
  });
  return contact;
}

/** The conversation of Graph's conversationId: the linked one if it still exists, else a new one. */
async function conversationOf(write: SyncWrite, message: GraphMessage, sender: string | null): Promise<string> {
  const { ctx, links } = write;
  const linked = await links.find('conversations', message.conversationId);
  if (linked) {
    const [exists] = await ctx.tx.query({
      sql: 'SELECT id FROM conversations WHERE account_id = $1 AND id = $2',
      parameters: [ctx.tx.accountId, linked.recordId],
    });
    if (exists) return linked.recordId;
  }
  const contact = await contactOf(write, sender);
  const fields = {
    channel: 'email',
    subject: clip(message.subject, 200),
    contact_id: contact?.id,
    customer_id: contact?.customer_id,
    participant_address: sender,
  };
  const conversation = await ctx.create(
    'conversations',
    Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null && value !== undefined)),
  );
  links.upsert({ collection: 'conversations', recordId: conversation.id, externalId: message.conversationId });
  return conversation.id;
}

/** Imports one fetched message (idempotent: a linked message is counted as skipped). */
export async function importMicrosoftMessage(write: SyncWrite, fetched: FetchedMail): Promise<void> {
  const { ctx, links, tally } = write;
  const { message } = fetched;
  if (message.isDraft) return tally.skipped();
  if (await links.find('messages', message.id)) return tally.skipped();
  const sender = addressOf(message.from?.emailAddress.address);
  const conversationId = await conversationOf(write, message, sender);
  const names = [...fetched.attachments.map((a) => a.filename), ...fetched.notStored.map((n) => `${n} (not stored)`)];
  const note = names.length ? `\n\n[Attachments: ${names.join(', ')}]` : '';
  const body = (textOf(message) || '(no text)').slice(0, 20_000 - note.length) + note;
  const row = await insertValidated(ctx, ctx.registry.get('messages'), {
    conversation_id: conversationId,
    direction: 'inbound',
    subject: clip(message.subject, 300),
    body,
    from_address: sender,
    status: 'received',
  });
  links.upsert({
    collection: 'messages',
    recordId: row.id,
    externalId: message.id,
    metadata: {
      thread_id: message.conversationId,
      message_id_header: message.internetMessageId ?? null,
      received_at: message.receivedDateTime,
    },
  });
  for (const attachment of fetched.attachments)
    links.upsert({
      collection: 'message-attachments',
      recordId: attachment.key,
      externalId: `${message.id}/${attachment.index}`,
      metadata: {
        message_id: row.id,
        filename: attachment.filename,
        mime_type: attachment.contentType,
        size: attachment.size,
      },
    });
  tally.created();
}
