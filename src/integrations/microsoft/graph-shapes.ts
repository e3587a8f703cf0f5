// The parts of Microsoft Graph's answers the connector reads, as Zod schemas (the framework's
// provider API checks every answer against one): an answer that does not fit is malformed, a
// clear error, never half-read. Unknown properties are dropped.
import { z } from 'zod';

export const GraphUser = z.object({
  id: z.string().min(1),
  displayName: z.string().nullish(),
  mail: z.string().nullish(),
  userPrincipalName: z.string().min(1),
});
export type GraphUser = z.infer<typeof GraphUser>;

const Recipient = z.object({
  emailAddress: z.object({ name: z.string().nullish(), address: z.string().nullish() }),
});

/** A message as the inbox delta query returns it with the connector's `$select`. */
export const GraphMessage = z.object({
  id: z.string().min(1),
  subject: z.string().nullish(),
  body: z.object({ contentType: z.enum(['text', 'html']), content: z.string() }).nullish(),
  from: Recipient.nullish(),
  toRecipients: z.array(Recipient).default([]),
  receivedDateTime: z.iso.datetime({ offset: true }),
  conversationId: z.string().min(1),
  internetMessageId: z.string().nullish(),
  hasAttachments: z.boolean().default(false),
  isDraft: z.boolean().default(false),
});
export type GraphMessage = z.infer<typeof GraphMessage>;

/** The properties asked of the delta query (`$select`): what GraphMessage reads, no more. */
export const MESSAGE_SELECT = Object.keys(GraphMessage.shape).join(',');

const Removed = z.object({ id: z.string().min(1), '@removed': z.object({ reason: z.string() }) });

/** One page of a delta round: its items, and either the next page's link or the next round's. */
export const DeltaPageAnswer = z
  .object({
    '@odata.nextLink': z.string().optional(),
    '@odata.deltaLink': z.string().optional(),
    value: z.array(z.union([Removed, GraphMessage])),
  })
  .refine((page) => Boolean(page['@odata.nextLink']) !== Boolean(page['@odata.deltaLink']), {
    message: 'a delta page carries exactly one of @odata.nextLink and @odata.deltaLink',
  });

/** The attachments of a message, listed without their bytes. */
export const AttachmentList = z.object({
  value: z.array(
    z.object({
      '@odata.type': z.string(),
      id: z.string().min(1),
      name: z.string().nullish(),
      contentType: z.string().nullish(),
      size: z.number().int().nonnegative(),
      isInline: z.boolean().default(false),
    }),
  ),
});

/** One file attachment with its bytes. */
export const FileAttachment = z.object({
  '@odata.type': z.literal('#microsoft.graph.fileAttachment'),
  id: z.string().min(1),
  contentBytes: z.base64(),
});

/** A message created as a draft (new, or by createReply): its id and conversation. */
export const DraftMessage = z.object({ id: z.string().min(1), conversationId: z.string().min(1) });

/** Messages found by `$filter` (the one a reply answers). */
export const MessageIds = z.object({
  value: z.array(z.object({ id: z.string().min(1), receivedDateTime: z.string().nullish() })),
});

/** Graph's 202 and 204 answers have no body. */
export const NoContent = z.unknown();
