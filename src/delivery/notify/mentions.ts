// Mentions: a note that names a member as `<@usr_…>` (the id, as chat apps write it, so a rename
// never breaks it) tells that member, once per note: an edit tells only those newly named. The
// author is not told of their own note; ids of no active member of the account are ignored.
import type { EmittedEvent, EventReaction, OperationContext } from '../../platform/contract.ts';
import { notifyMember } from './notify-member.ts';

const MENTION = /<@(usr_[0-9A-Za-z]{1,40})>/g;

/** The members a text names, each once, in order. */
export const mentionedIn = (text: unknown): string[] =>
  typeof text === 'string' ? [...new Set([...text.matchAll(MENTION)].map(([, id]) => id))] : [];

/** Each note collection, and the field naming what the note is on (where the notice links). */
const NOTES = [
  { event: 'conversation_note', parent: 'conversation_id', collection: 'conversations' },
  { event: 'contact_note', parent: 'contact_id', collection: 'contacts' },
] as const;

async function authorName(ctx: OperationContext, authorId: unknown): Promise<string> {
  if (typeof authorId !== 'string') return 'A teammate';
  const [author] = await ctx.tx.query<{ name: string }>({
    sql: `SELECT name FROM ${ctx.registry.get('users').table} WHERE account_id = $1 AND id = $2`,
    parameters: [ctx.tx.accountId, authorId],
  });
  return author?.name ?? 'A teammate';
}

function mentionReaction(note: (typeof NOTES)[number]): EventReaction {
  return {
    name: `notify members mentioned in a ${note.event.replace('_', ' ')}`,
    on: [`${note.event}.created`, `${note.event}.updated`],
    async run(ctx: OperationContext, { object, previousAttributes }: EmittedEvent) {
      if (previousAttributes && !('body' in previousAttributes)) return;
      const already = new Set(mentionedIn(previousAttributes?.body));
      const named = mentionedIn(object.body).filter((id) => !already.has(id) && id !== object.author_id);
      if (!named.length) return;
      const title = `${await authorName(ctx, object.author_id)} mentioned you in a note`;
      const body = String(object.body).replace(MENTION, '@member').slice(0, 500);
      const about = { collection: note.collection, id: String(object[note.parent]) };
      for (const userId of named)
        await notifyMember(ctx, { userId, kind: 'mentioned', category: 'message', title, body, about });
    },
  };
}

export const mentionPolicy: EventReaction[] = NOTES.map(mentionReaction);
