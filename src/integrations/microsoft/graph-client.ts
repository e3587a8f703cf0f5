// The Microsoft Graph v1.0 calls the connector makes, as Microsoft documents them, through the
// integrations framework's provider API (which adds the token, refreshes it on 401, reads answers
// with a size ceiling and turns 429/Retry-After, 5xx and malformed answers into its errors):
// the signed-in user, the inbox delta query, a message's file attachments, and sending as a new
// message or as a reply in the conversation (a draft, then send: the draft's id is the sent one's).
import { ProviderAnswerInvalid, ProviderRefused, type ProviderApi } from '../provider-api.ts';
import {
  AttachmentList,
  DeltaPageAnswer,
  DraftMessage,
  FileAttachment,
  GraphUser,
  MESSAGE_SELECT,
  MessageIds,
  NoContent,
  type GraphMessage,
} from './graph-shapes.ts';

export type DeltaChange = { kind: 'upsert'; message: GraphMessage } | { kind: 'removed'; id: string };

export interface DeltaPage {
  changes: DeltaChange[];
  /** The next page of this round, when there is one. */
  nextLink: string | null;
  /** Where the next round starts, on the round's last page. */
  deltaLink: string | null;
}

export interface GraphAttachment {
  name: string;
  contentType: string;
  size: number;
  /** Null: larger than we import (`maxBytes`); listed, not downloaded. */
  content: Buffer | null;
}

export interface GraphMail {
  to: string;
  subject: string;
  text: string;
}

/** Messages per delta page (`Prefer: odata.maxpagesize`): one page is one sync step and transaction. */
export const DELTA_PAGE_SIZE = 25;
/** Immutable ids: a message keeps its id when it moves (drafts to Sent Items), so links stay true. */
const IMMUTABLE_IDS = 'IdType="ImmutableId"';
const TEXT_BODIES = 'outlook.body-content-type="text"';
/** OData string literal: a quote doubled. */
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

export function graphClient(api: ProviderApi, base: string) {
  const url = (path: string) => `${base}${path}`;
  const message = (id: string) => url(`/me/messages/${encodeURIComponent(id)}`);

  async function draftAndSend(draftUrl: string, body: unknown) {
    const draft = await api.json(draftUrl, DraftMessage, {
      method: 'POST',
      json: body,
      headers: { prefer: IMMUTABLE_IDS },
    });
    try {
      await api.json(`${message(draft.id)}/send`, NoContent, { method: 'POST', headers: { prefer: IMMUTABLE_IDS } });
    } catch (error) {
      // The relay tries again with a new draft: this one would stay in Drafts for nothing.
      await api.json(message(draft.id), NoContent, { method: 'DELETE' }).catch(() => undefined);
      throw error;
    }
    return draft;
  }

  /** A link from an answer must lead back to Graph: the access token goes with it. */
  const graphLinkOrThrow = (link: string) => {
    if (!link.startsWith(`${base}/`))
      throw new ProviderAnswerInvalid('a Microsoft Graph delta link leads outside Microsoft Graph');
  };

  const recipients = (mail: GraphMail) => [{ emailAddress: { address: mail.to } }];

  return {
    /** The signed-in user: whose mailbox this is. */
    me: () => api.json(url('/me'), GraphUser, { query: { $select: 'id,displayName,mail,userPrincipalName' } }),

    /**
     * One page of the inbox delta query: from `link` (a nextLink or deltaLink kept from before),
     * or a new round when `link` is null, of the mail received since `since` (the one filter the
     * delta query takes; it carries into the round's links). A 410 (the sync state expired) is a
     * ProviderRefused with status 410.
     */
    async inboxDeltaPage(link: string | null, since?: Date): Promise<DeltaPage> {
      if (link !== null) graphLinkOrThrow(link);
      const page = await api.json(link ?? url('/me/mailFolders/inbox/messages/delta'), DeltaPageAnswer, {
        query: link
          ? undefined
          : {
              $select: MESSAGE_SELECT,
              $filter: since ? `receivedDateTime ge ${since.toISOString().slice(0, 19)}Z` : undefined,
            },
        // Bodies as text (Graph converts HTML itself); ids that survive moves between folders.
        headers: { prefer: `odata.maxpagesize=${DELTA_PAGE_SIZE}, ${IMMUTABLE_IDS}, ${TEXT_BODIES}` },
      });
      for (const next of [page['@odata.nextLink'], page['@odata.deltaLink']]) if (next) graphLinkOrThrow(next);
      return {
        changes: page.value.map((item) =>
          '@removed' in item ? { kind: 'removed', id: item.id } : { kind: 'upsert', message: item as GraphMessage },
        ),
        nextLink: page['@odata.nextLink'] ?? null,
        deltaLink: page['@odata.deltaLink'] ?? null,
      };
    },

    /** A message's file attachments; those over `maxBytes` are listed without their bytes. */
    async fileAttachments(messageId: string, maxBytes: number): Promise<GraphAttachment[]> {
      const listed = await api.json(`${message(messageId)}/attachments`, AttachmentList, {
        query: { $select: 'id,name,contentType,size,isInline' },
      });
      const files = listed.value.filter((item) => item['@odata.type'] === '#microsoft.graph.fileAttachment');
      const attachments: GraphAttachment[] = [];
      for (const file of files) {
        const meta = {
          name: file.name || 'attachment',
          contentType: file.contentType || 'application/octet-stream',
          size: file.size,
        };
        if (file.size > maxBytes) {
          attachments.push({ ...meta, content: null });
          continue;
        }
        const one = await api.json(`${message(messageId)}/attachments/${encodeURIComponent(file.id)}`, FileAttachment);
        attachments.push({ ...meta, content: Buffer.from(one.contentBytes, 'base64') });
      }
      return attachments;
    },

    /** Our id for the mailbox message whose RFC 2822 Message-ID is `internetMessageId`, if it is there. */
    async messageIdOf(internetMessageId: string): Promise<string | null> {
      const found = await api.json(url('/me/messages'), MessageIds, {
        query: { $filter: `internetMessageId eq ${literal(internetMessageId)}`, $select: 'id', $top: 1 },
        headers: { prefer: IMMUTABLE_IDS },
      });
      return found.value[0]?.id ?? null;
    },

    /** The latest message of a conversation (to reply to), if the mailbox still has one. */
    async latestInConversation(conversationId: string): Promise<string | null> {
      const found = await api.json(url('/me/messages'), MessageIds, {
        query: { $filter: `conversationId eq ${literal(conversationId)}`, $select: 'id,receivedDateTime', $top: 50 },
        headers: { prefer: IMMUTABLE_IDS },
      });
      const latest = found.value.sort((a, b) => (b.receivedDateTime ?? '').localeCompare(a.receivedDateTime ?? ''))[0];
      return latest?.id ?? null;
    },

    /** A new message from the mailbox: drafted, then sent (Graph saves it to Sent Items). */
    sendNew: (mail: GraphMail) =>
      draftAndSend(url('/me/messages'), {
        subject: mail.subject,
        body: { contentType: 'Text', content: mail.text },
        toRecipients: recipients(mail),
      }),

    /** A reply to `messageId`: Graph keeps it in that message's conversation (and its subject). */
    sendReply: (messageId: string, mail: GraphMail) =>
      draftAndSend(`${message(messageId)}/createReply`, {
        message: { toRecipients: recipients(mail), body: { contentType: 'Text', content: mail.text } },
      }),
  };
}

export type GraphClient = ReturnType<typeof graphClient>;

/** Whether Graph no longer knows a delta link's sync state (start a new round). */
export const syncStateGone = (error: unknown) => error instanceof ProviderRefused && error.status === 410;
