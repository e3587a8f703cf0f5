// Microsoft 365's `mail` sync: the inbox delta query, one page per step. The cursor is the link
// Graph gave last: a nextLink mid-round, the deltaLink once a round is over, so the next run asks
// only what changed since. The first round reaches back FIRST_SYNC_DAYS. A delta link Graph no
// longer knows (410) or one made for another Graph URL starts a new round: messages already
// imported are skipped by their links, so nothing doubles. Attachments are downloaded and stored
// before the page's transaction, under keys made from Graph's ids, so a page done again
// overwrites its own files; messages already imported (Graph reports a message again when it is
// read or moved) are not downloaded again.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { systemQuery } from '../../db/system-query.ts';
import { fileStorage } from '../../storage/storage-module.ts';
import type { SyncKind, SyncStepArgs } from '../connector.ts';
import { graphClient, syncStateGone, type DeltaPage } from './graph-client.ts';
import type { GraphMessage } from './graph-shapes.ts';
import { importMicrosoftMessage, type FetchedMail, type StoredAttachment } from './microsoft-mail-import.ts';
import { graphBase } from './microsoft-settings.ts';

export const MICROSOFT_PROVIDER = 'microsoft';
/** How far back the first sync reaches. */
export const FIRST_SYNC_DAYS = 30;
/** Attachments over this size are named in the message but not stored. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export const MicrosoftMailCursor = z.object({ link: z.string().min(1).max(10_000) });
export type MicrosoftMailCursor = z.infer<typeof MicrosoftMailCursor>;

type Args = SyncStepArgs<MicrosoftMailCursor>;

const storageKey = (accountId: string, graphId: string, index: number) =>
  `${accountId}/microsoft/${createHash('sha256').update(graphId).digest('hex').slice(0, 40)}-${index}`;

/** Which of these Graph message ids this account has imported already. */
async function importedAlready(args: Args, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await systemQuery<{ external_id: string }>(args.runtime.db, {
    sql: `SELECT external_id FROM integration_links
           WHERE account_id = $1 AND provider = $2 AND collection = 'messages' AND external_id = ANY($3)`,
    parameters: [args.accountId, MICROSOFT_PROVIDER, ids],
  });
  return new Set(rows.map((row) => row.external_id));
}

async function fetchAttachments(args: Args, message: GraphMessage): Promise<FetchedMail> {
  const fetched: FetchedMail = { message, attachments: [], notStored: [] };
  if (!message.hasAttachments) return fetched;
  const graph = graphClient(args.api, graphBase(args.settings));
  const storage = args.runtime.use(fileStorage);
  const files = await graph.fileAttachments(message.id, MAX_ATTACHMENT_BYTES);
  for (const [index, file] of files.entries()) {
    const filename = file.name.slice(0, 255);
    if (!file.content) {
      fetched.notStored.push(filename);
      continue;
    }
    const key = storageKey(args.accountId, message.id, index);
    await storage.put(key, file.content);
    const stored: StoredAttachment = { key, index, filename, contentType: file.contentType, size: file.content.length };
    fetched.attachments.push(stored);
  }
  return fetched;
}

async function deltaPage(args: Args): Promise<DeltaPage> {
  const base = graphBase(args.settings);
  const graph = graphClient(args.api, base);
  const since = new Date(Date.now() - FIRST_SYNC_DAYS * 86_400_000);
  const link = args.cursor?.link.startsWith(`${base}/`) ? args.cursor.link : null;
  try {
    return await graph.inboxDeltaPage(link, since);
  } catch (error) {
    if (link === null || !syncStateGone(error)) throw error;
    return graph.inboxDeltaPage(null, since);
  }
}

export const microsoftMailSync: SyncKind<MicrosoftMailCursor> = {
  description:
    'Inbound mail of the Outlook inbox into email conversations (threads kept together), attachments stored.',
  cursor: MicrosoftMailCursor,
  async step(args) {
    const page = await deltaPage(args);
    const messages = page.changes.flatMap((change) => (change.kind === 'upsert' ? [change.message] : []));
    const known = await importedAlready(
      args,
      messages.map((message) => message.id),
    );
    const fresh = messages.filter((message) => !known.has(message.id) && !message.isDraft);
    const fetched: FetchedMail[] = [];
    for (const message of fresh) fetched.push(await fetchAttachments(args, message));
    // Removals and messages seen before (read, moved) change nothing here: our record stays.
    const unchanged = page.changes.length - fresh.length;
    return {
      cursor: { link: (page.nextLink ?? page.deltaLink)! },
      done: !page.nextLink,
      write: async (write) => {
        if (unchanged) write.tally.skipped(unchanged);
        // Oldest first, so a conversation's messages are in the order they arrived.
        fetched.sort((a, b) => a.message.receivedDateTime.localeCompare(b.message.receivedDateTime));
        for (const mail of fetched) await importMicrosoftMessage(write, mail);
      },
    };
  },
};
