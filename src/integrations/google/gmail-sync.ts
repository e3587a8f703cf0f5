// Gmail's `mail` sync, one page per step:
//   first run:  the mailbox's historyId is noted (profile), then recent mail is listed page by page
//               (messages.list, `newer_than:30d`, pageToken) and each message read (format=full);
//   later runs: what was added since the noted historyId (users.history.list, startHistoryId,
//               pageToken); Google keeps history about a week: a 404 on an expired id falls back
//               to the recent-mail window (messages already imported are skipped by their links).
// Attachments are read (attachments.get) and stored through the file storage before the page's
// transaction, under keys made of Gmail's ids, so a page done again overwrites its own files.
import { z } from 'zod';
import { fileStorage } from '../../storage/storage-module.ts';
import type { SyncKind, SyncStep, SyncStepArgs } from '../connector.ts';
import { ProviderRefused } from '../provider-api.ts';
import {
  GmailAttachment,
  GmailHistoryList,
  GmailMessage,
  GmailMessageList,
  gmailProfile,
  gmailUrl,
} from './gmail-api.ts';
import { importGmailMessage, type FetchedMessage, type StoredAttachment } from './gmail-import.ts';
import { readGmailMessage } from './gmail-message.ts';
import { googleApiUrl } from './google-oauth.ts';

/** The window of the first sync (Gmail search syntax). */
export const FIRST_SYNC_QUERY = 'newer_than:30d';
export const PAGE_SIZE = 25;
/** Attachments over this size are named in the message but not stored. */
const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

export const GmailCursor = z.union([
  z.object({ mode: z.literal('full'), startHistoryId: z.string().min(1), pageToken: z.string().optional() }),
  z.object({ mode: z.literal('history'), historyId: z.string().min(1), pageToken: z.string().optional() }),
]);
export type GmailCursor = z.infer<typeof GmailCursor>;

type Args = SyncStepArgs<GmailCursor>;

const storageKey = (accountId: string, gmailId: string, partId: string) =>
  `${accountId}/gmail/${gmailId}-${partId}`.replace(/[^A-Za-z0-9_/-]/g, '_');

/** Reads a message and stores its attachments; undefined when Gmail no longer has it. */
async function fetchMessage(args: Args, apiUrl: string, gmailId: string): Promise<FetchedMessage | undefined> {
  let raw;
  try {
    raw = await args.api.json(gmailUrl(apiUrl, `messages/${encodeURIComponent(gmailId)}`), GmailMessage, {
      query: { format: 'full' },
    });
  } catch (error) {
    if (error instanceof ProviderRefused && error.status === 404) return undefined; // deleted since it was listed
    throw error;
  }
  const message = readGmailMessage(raw);
  const storage = args.runtime.use(fileStorage);
  const attachments: StoredAttachment[] = [];
  for (const attachment of message.attachments) {
    let data = attachment.data;
    if (attachment.attachmentId) {
      const path = `messages/${encodeURIComponent(gmailId)}/attachments/${encodeURIComponent(attachment.attachmentId)}`;
      data = (await args.api.json(gmailUrl(apiUrl, path), GmailAttachment)).data;
    }
    const bytes = Buffer.from(data ?? '', 'base64url');
    if (bytes.length === 0 || bytes.length > MAX_ATTACHMENT_BYTES) continue;
    const key = storageKey(args.accountId, gmailId, attachment.partId);
    await storage.put(key, bytes);
    attachments.push({ key, ...attachment, size: bytes.length });
  }
  return { message, attachments };
}

/** Reads the messages of a page, in order; those Gmail no longer has are counted as skipped. */
async function pageOf(args: Args, apiUrl: string, ids: string[], cursor: GmailCursor, done: boolean) {
  const fetched: FetchedMessage[] = [];
  let gone = 0;
  for (const id of [...new Set(ids)]) {
    const message = await fetchMessage(args, apiUrl, id);
    if (message) fetched.push(message);
    else gone++;
  }
  const step: SyncStep<GmailCursor> = {
    cursor,
    done,
    write: async (write) => {
      if (gone) write.tally.skipped(gone);
      // Oldest first, so a conversation's messages are in the order they were written.
      for (const message of fetched.reverse()) await importGmailMessage(write, message);
    },
  };
  return step;
}

async function windowPage(args: Args, apiUrl: string, startHistoryId: string, pageToken?: string) {
  const list = await args.api.json(gmailUrl(apiUrl, 'messages'), GmailMessageList, {
    query: { q: FIRST_SYNC_QUERY, maxResults: PAGE_SIZE, pageToken },
  });
  const ids = (list.messages ?? []).map((m) => m.id);
  return list.nextPageToken
    ? pageOf(args, apiUrl, ids, { mode: 'full', startHistoryId, pageToken: list.nextPageToken }, false)
    : pageOf(args, apiUrl, ids, { mode: 'history', historyId: startHistoryId }, true);
}

async function historyPage(args: Args, apiUrl: string, historyId: string, pageToken?: string) {
  let history;
  try {
    history = await args.api.json(gmailUrl(apiUrl, 'history'), GmailHistoryList, {
      query: { startHistoryId: historyId, historyTypes: 'messageAdded', maxResults: 100, pageToken },
    });
  } catch (error) {
    if (!(error instanceof ProviderRefused && error.status === 404)) throw error;
    // The history id expired: sync the recent window again from the mailbox's current point.
    return windowPage(args, apiUrl, (await gmailProfile(args.api, apiUrl)).historyId);
  }
  const ids = (history.history ?? []).flatMap((h) => (h.messagesAdded ?? []).map((added) => added.message.id));
  const next: GmailCursor = history.nextPageToken
    ? { mode: 'history', historyId, pageToken: history.nextPageToken }
    : { mode: 'history', historyId: history.historyId };
  // history.list lists oldest first; pageOf imports in reverse of what it is given.
  return pageOf(args, apiUrl, ids.reverse(), next, !history.nextPageToken);
}

export const gmailMailSync: SyncKind<GmailCursor> = {
  description: 'Inbound mail into email conversations (threads kept together), attachments stored.',
  cursor: GmailCursor,
  async step(args) {
    const apiUrl = googleApiUrl(args.settings);
    const cursor = args.cursor;
    if (!cursor) return windowPage(args, apiUrl, (await gmailProfile(args.api, apiUrl)).historyId);
    if (cursor.mode === 'full') return windowPage(args, apiUrl, cursor.startHistoryId, cursor.pageToken);
    return historyPage(args, apiUrl, cursor.historyId, cursor.pageToken);
  },
};
