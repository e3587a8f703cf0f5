// Putting tags on contacts and taking them off: one contact at a time, a hundred at once, and
// every contact at once when a tag is deleted. Each changed contact is one `contact.updated`
// event whose previous attributes hold its old `tag_ids`.
import { z } from 'zod';
import { resourceEndpoint } from '../platform/resource/define-resource.ts';
import type { Row } from '../db/database.ts';
import { lockRowOrThrow } from '../platform/operations/load-row.ts';
import { applyChanges } from '../platform/operations/update.ts';
import { selectRowsByIds } from '../platform/operations/row-statements.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { ApiError, notFound, validationFailed } from '../platform/errors.ts';
import type { ResourceEndpointSpec, OperationContext } from '../platform/contract.ts';

/** The most tags one contact carries (the `tag_ids` field's limit). */
export const MAX_TAGS_PER_CONTACT = 50;

const tagIds = z.array(z.string().min(1).max(64)).min(1).max(20);

function retag(ctx: OperationContext, contact: Row, add: readonly string[], remove: readonly string[]): Row {
  const contacts = ctx.registry.get('contacts');
  const kept = (contact.tag_ids as string[]).filter((id) => !remove.includes(id));
  const next = [...kept, ...add.filter((id) => !kept.includes(id))];
  if (next.length > MAX_TAGS_PER_CONTACT) {
    throw new ApiError(
      'conflict',
      `Contact '${contact.id}' would carry ${next.length} tags; the most is ${MAX_TAGS_PER_CONTACT}`,
    );
  }
  return applyChanges(ctx, contacts, contact, { tag_ids: next }, 'contact.updated');
}

/** Every one of `ids` is a tag of the account; unknown ones are a 422 at `pathOf(index)`. */
async function requireTags(
  ctx: OperationContext,
  ids: readonly string[],
  pathOf: (index: number) => string,
): Promise<void> {
  const tags = ctx.registry.get('contact-tags');
  const known = new Set((await ctx.tx.query(selectRowsByIds(tags, ctx.tx.accountId, [...ids]))).map((row) => row.id));
  const missing = ids.map((id, index) => ({ id, index })).filter(({ id }) => !known.has(id));
  if (missing.length)
    throw validationFailed(
      missing.map(({ id, index }) => ({ path: pathOf(index), message: `No such contact_tag: '${id}'` })),
    );
}

/** After a tag is deleted: every contact carrying it lets go of it. */
export async function untagEveryContact(ctx: OperationContext, tagId: string): Promise<void> {
  const contacts = ctx.registry.get('contacts');
  const carrying = await ctx.tx.query({
    sql: `SELECT ${contacts.selectColumns.join(', ')} FROM contacts
          WHERE account_id = $1 AND $2 = ANY(tag_ids) AND deleted_at IS NULL ORDER BY id FOR UPDATE`,
    parameters: [ctx.tx.accountId, tagId],
  });
  for (const contact of carrying) retag(ctx, contact, [], [tagId]);
}

const BulkTagResult = z.object({
  object: z.literal('contact_bulk_tag'),
  updated: z.int().describe('Contacts whose tags changed.'),
  unchanged: z.int().describe('Contacts that already had (or lacked) the tags.'),
});

export const contactTaggingEndpoints: ResourceEndpointSpec[] = [
  resourceEndpoint({
    method: 'post',
    path: '/{id}/tags',
    operationId: 'tagContact',
    respondsWith: 'contacts',
    summary: 'Put a tag on a contact',
    description: 'Adding a tag the contact already has changes nothing.',
    input: z.strictObject({ tag_id: z.string().min(1).max(64) }),
    async run({ input, params, ctx }) {
      const contact = await lockRowOrThrow(ctx, ctx.registry.get('contacts'), params.id);
      await requireTags(ctx, [input.tag_id], () => 'tag_id');
      return serialize(ctx.registry.get('contacts'), retag(ctx, contact, [input.tag_id], []));
    },
  }),
  resourceEndpoint({
    method: 'delete',
    path: '/{id}/tags/{tag_id}',
    operationId: 'untagContact',
    respondsWith: 'contacts',
    summary: 'Take a tag off a contact',
    description:
      'Taking off a tag the contact does not have changes nothing; a tag the account does not have is a 404.',
    async run({ params, ctx }) {
      const contact = await lockRowOrThrow(ctx, ctx.registry.get('contacts'), params.id);
      const [tag] = await ctx.tx.query(
        selectRowsByIds(ctx.registry.get('contact-tags'), ctx.tx.accountId, [params.tag_id]),
      );
      if (!tag) throw notFound('contact_tag', params.tag_id);
      return serialize(ctx.registry.get('contacts'), retag(ctx, contact, [], [params.tag_id]));
    },
  }),
  resourceEndpoint({
    method: 'post',
    path: '/bulk-tag',
    operationId: 'bulkTagContacts',
    answers: BulkTagResult,
    summary: 'Add and remove tags on up to 100 contacts, all or nothing',
    description:
      'Every contact and tag must exist (422 naming the first unknown ones otherwise); ' +
      'nothing changes unless everything can.',
    input: z
      .strictObject({
        contact_ids: z.array(z.string().min(1).max(64)).min(1).max(100),
        add: tagIds.meta({ examples: [['tag_123']] }).optional(),
        remove: tagIds.optional(),
      })
      .refine((body) => body.add || body.remove, { message: 'Give add, remove or both', path: ['add'] }),
    async run({ input, ctx }) {
      const contacts = ctx.registry.get('contacts');
      const ids = [...new Set(input.contact_ids)].sort(); // one lock order for every caller
      const rows = await ctx.tx.query({
        sql: `SELECT ${contacts.selectColumns.join(', ')} FROM contacts
              WHERE account_id = $1 AND id = ANY($2::text[]) AND deleted_at IS NULL ORDER BY id FOR UPDATE`,
        parameters: [ctx.tx.accountId, ids],
      });
      const found = new Set(rows.map((row) => row.id));
      const missing = input.contact_ids.map((id, index) => ({ id, index })).filter(({ id }) => !found.has(id));
      if (missing.length)
        throw validationFailed(
          missing
            .slice(0, 10)
            .map(({ id, index }) => ({ path: `contact_ids.${index}`, message: `No such contact: '${id}'` })),
        );
      const added = input.add ?? [];
      await requireTags(ctx, [...added, ...(input.remove ?? [])], (i) =>
        i < added.length ? `add.${i}` : `remove.${i - added.length}`,
      );
      let updated = 0;
      for (const row of rows) if (retag(ctx, row, input.add ?? [], input.remove ?? []) !== row) updated += 1;
      return { object: 'contact_bulk_tag', updated, unchanged: rows.length - updated };
    },
  }),
];
