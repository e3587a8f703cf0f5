// Attachments of messages imported from a connected mailbox (Gmail, Microsoft 365). The mail
// syncs store each attachment's bytes through the file storage (src/storage/) before the page's
// transaction, and record it as an external-id link of collection `message-attachments`: its
// `record_id` is the storage key, its metadata the message it belongs to, the file name, the
// content type the sender declared and the size. These operations give them out under their
// message, with the message's scope (read:messages): another account's message is a 404 like the
// message itself. An attachment's id is derived from the provider's id of it, so it is stable
// across syncs and says nothing of where the file is kept.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import type { TenantTransaction } from '../db/tenant-transaction.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { notFound } from '../platform/errors.ts';
import { loadRowOrThrow } from '../platform/operations/load-row.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import { fileStorage } from '../storage/storage-module.ts';

const ATTACHMENT_ID = /^matt_[0-9a-f]{24}$/;

export const MessageAttachment = z.object({
  object: z.literal('message_attachment'),
  id: z.string().describe('`matt_...`: stable for the provider’s attachment.'),
  message_id: z.string(),
  provider: z.string().describe('The mailbox it was imported from: `gmail`, `microsoft`.'),
  filename: z.string(),
  content_type: z.string().describe('As the sender declared it; the download is always served as an attachment.'),
  size_bytes: z.number().int(),
  download_path: z.string().describe('`GET` it for the bytes.'),
});
type MessageAttachment = z.infer<typeof MessageAttachment>;

/** A media type we repeat in a header: a well-formed `type/subtype`, else bytes of no stated kind. */
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
export const safeContentType = (declared: unknown) => {
  const type = typeof declared === 'string' ? declared.trim().toLowerCase() : '';
  return MEDIA_TYPE.test(type) ? type : 'application/octet-stream';
};

/** A file name that fits a quoted Content-Disposition parameter (a sender's name may hold anything). */
export const safeFilename = (name: unknown) =>
  (typeof name === 'string' ? name : '')
    .replace(/[^A-Za-z0-9._ ()-]/g, '_')
    .slice(0, 200)
    .trim() || 'attachment';

const attachmentId = (provider: string, externalId: string) =>
  `matt_${createHash('sha256').update(`${provider}\n${externalId}`).digest('hex').slice(0, 24)}`;

interface StoredAttachment extends MessageAttachment {
  storageKey: string;
}

/** The message's attachments, oldest link first (the order the mail listed them). */
async function attachmentsOf(tx: TenantTransaction, messageId: string): Promise<StoredAttachment[]> {
  const rows = await tx.query<{ provider: string; external_id: string; record_id: string; metadata: unknown }>({
    sql: `SELECT provider, external_id, record_id, metadata FROM integration_links
           WHERE account_id = $1 AND collection = 'message-attachments' AND metadata ->> 'message_id' = $2
           ORDER BY created_at, provider, external_id`,
    parameters: [tx.accountId, messageId],
  });
  return rows.map((row) => {
    const metadata = (typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata) ?? {};
    const id = attachmentId(row.provider, row.external_id);
    return {
      object: 'message_attachment',
      id,
      message_id: messageId,
      provider: row.provider,
      filename: typeof metadata.filename === 'string' ? metadata.filename : 'attachment',
      content_type: safeContentType(metadata.mime_type),
      size_bytes: Number.isInteger(metadata.size) ? metadata.size : 0,
      download_path: `/v1/messages/${messageId}/attachments/${id}`,
      storageKey: row.record_id,
    };
  });
}

const common = { tag: 'Message', collection: 'messages', singular: 'message' } as const;
const present = ({ storageKey: _key, ...attachment }: StoredAttachment): MessageAttachment => attachment;

export const messageAttachmentOperations = [
  defineOperation({
    ...common,
    method: 'get',
    path: '/v1/messages/{id}/attachments',
    operationId: 'listMessageAttachments',
    scope: 'read:messages',
    bucket: 'read',
    summary: "List a message's attachments",
    description:
      'The files that came with a message imported from a connected mailbox (Gmail, Microsoft 365): ' +
      'name, declared content type and size. Download each from its `download_path`. ' +
      'A message with none (or not from a mailbox) has an empty list.',
    response: z.array(MessageAttachment),
    async handle({ runtime, principal, params, requestId }) {
      const data = await withTenantTransaction(runtime.db, principal.accountId, async (tx) => {
        const ctx = createOperationContext(tx, principal, runtime, requestId);
        const message = await loadRowOrThrow(ctx, ctx.registry.get('messages'), params.id);
        return (await attachmentsOf(tx, message.id)).map(present);
      });
      return { status: 200, body: { data, page: { has_more: false, next_cursor: null, total: data.length } } };
    },
  }),
  defineOperation({
    ...common,
    method: 'get',
    path: '/v1/messages/{id}/attachments/{attachment_id}',
    operationId: 'downloadMessageAttachment',
    scope: 'read:messages',
    bucket: 'read',
    summary: "Download one of a message's attachments",
    description:
      'The bytes, with the content type the sender declared, always as a download ' +
      '(`Content-Disposition: attachment`, `nosniff`): a file from outside is never rendered by the browser.',
    responseMediaType: 'application/octet-stream',
    response: z.string().describe('The file’s bytes.'),
    async handle({ runtime, principal, params, requestId }) {
      const found = await withTenantTransaction(runtime.db, principal.accountId, async (tx) => {
        const ctx = createOperationContext(tx, principal, runtime, requestId);
        const message = await loadRowOrThrow(ctx, ctx.registry.get('messages'), params.id);
        if (!ATTACHMENT_ID.test(params.attachment_id)) return undefined;
        return (await attachmentsOf(tx, message.id)).find((a) => a.id === params.attachment_id);
      });
      const bytes = found && (await runtime.use(fileStorage).get(found.storageKey));
      if (!found || !bytes) throw notFound('message attachment', params.attachment_id);
      return {
        status: 200,
        stream: new Blob([new Uint8Array(bytes)]).stream(),
        contentType: found.content_type,
        filename: safeFilename(found.filename),
        headers: { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'private, no-store' },
      };
    },
  }),
];
