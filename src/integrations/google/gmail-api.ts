// The Gmail REST API calls the connector makes, and the shapes Google documents for their answers
// (https://developers.google.com/gmail/api/reference/rest): anything else is a malformed answer.
import { z } from 'zod';
import type { ProviderApi } from '../provider-api.ts';

const id = z.string().min(1).max(200);

export const GmailProfile = z.object({ emailAddress: z.string().min(3).max(320), historyId: id });

export const GmailMessageList = z.object({
  messages: z
    .array(z.object({ id, threadId: id }))
    .max(500)
    .optional(),
  nextPageToken: z.string().max(1000).optional(),
});

export interface GmailPart {
  partId?: string;
  mimeType?: string;
  filename?: string;
  headers?: { name: string; value: string }[];
  body?: { attachmentId?: string; size?: number; data?: string };
  parts?: GmailPart[];
}

export const GmailPartSchema: z.ZodType<GmailPart> = z.lazy(() =>
  z.object({
    partId: z.string().max(100).optional(),
    mimeType: z.string().max(200).optional(),
    filename: z.string().max(1000).optional(),
    headers: z
      .array(z.object({ name: z.string().max(1000), value: z.string().max(100_000) }))
      .max(500)
      .optional(),
    body: z
      .object({
        attachmentId: z.string().max(2000).optional(),
        size: z.number().optional(),
        data: z.string().optional(),
      })
      .optional(),
    parts: z.array(GmailPartSchema).max(200).optional(),
  }),
);

export const GmailMessage = z.object({
  id,
  threadId: id,
  labelIds: z.array(z.string().max(200)).max(500).optional(),
  snippet: z.string().max(10_000).optional(),
  internalDate: z.string().max(20).optional(),
  payload: GmailPartSchema,
});
export type GmailMessage = z.infer<typeof GmailMessage>;

export const GmailHistoryList = z.object({
  history: z
    .array(
      z.object({
        id,
        messagesAdded: z.array(z.object({ message: z.object({ id, threadId: id }) })).optional(),
      }),
    )
    .max(1000)
    .optional(),
  nextPageToken: z.string().max(1000).optional(),
  historyId: id,
});

export const GmailAttachment = z.object({ size: z.number().optional(), data: z.string() });

export const GmailSent = z.object({ id, threadId: id.optional() });

/** Calls `users/me/...` of the Gmail API at `apiUrl`. */
export const gmailUrl = (apiUrl: string, path: string) => `${apiUrl}/gmail/v1/users/me/${path}`;

export const gmailProfile = (api: ProviderApi, apiUrl: string) => api.json(gmailUrl(apiUrl, 'profile'), GmailProfile);
