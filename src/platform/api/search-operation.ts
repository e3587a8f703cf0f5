// GET /v1/search?q=: one ranked list across every collection that declares `searchTitle`
// (customers, contacts, jobs, ...), limited to the collections the credential may read.
// Each result carries its type, a title, the rank and the object itself.
import { z } from 'zod';
import { hasScope } from '../operations/principal.ts';
import { tenantReadTransaction } from '../operations/tenant-read.ts';
import { selectRowsByIds } from '../operations/row-statements.ts';
import { serialize } from '../operations/serialize.ts';
import { hasSearchTerms, searchMatchSql } from '../query/search-terms.ts';
import { UNSTORABLE_TEXT } from '../storable-text.ts';
import { ApiError, badRequest } from '../errors.ts';
import { defineOperation } from './define-operation.ts';
import type { Operation } from './operation.ts';
import type { Registry, ResourceDefinition } from '../contract.ts';

function titleSql(resource: ResourceDefinition): string {
  const parts = resource.searchTitle!.map((name) => `COALESCE(${name}::text, '')`).join(` || ' ' || `);
  return `NULLIF(btrim(${parts}), '')`;
}

function rankedMatches(resource: ResourceDefinition): string {
  return `SELECT '${resource.collection}' AS collection, id, ${titleSql(resource)} AS title,
                 ts_rank(search_vector, fieldline_search_query($2)) AS score, updated_at
            FROM ${resource.table}
           WHERE account_id = $1 AND ${searchMatchSql('$2')}
             ${resource.softDelete ? ' AND deleted_at IS NULL' : ''}`;
}

export function searchOperation(registry: Registry): Operation {
  const searchable = registry.resources.filter((resource) => resource.searchTitle);
  const collections = searchable.map((resource) => resource.collection);
  return defineOperation({
    method: 'get',
    path: '/v1/search',
    operationId: 'search',
    tag: 'Search',
    scope: null,
    bucket: 'expensive',
    summary: 'Search the whole account, best matches first across collections',
    description:
      `Prefix search over the searchable fields of ${collections.join(', ')}; the best matches first. ` +
      'Only collections the credential can read (`read:{collection}`) are searched; ' +
      'naming another in `types` is a 403.',
    query: z.strictObject({
      q: z
        .string()
        .trim()
        .min(1)
        .max(200)
        .describe('Words to find; each matches as a prefix (`plum` finds "plumbing").'),
      types: z
        .string()
        .optional()
        .describe(`Comma-separated collections to search, from: ${collections.join(', ')}. Default: all readable.`),
      limit: z.coerce.number().int().min(1).max(50).default(20),
    }),
    response: z.object({
      object: z.literal('search_results'),
      q: z.string(),
      data: z.array(
        z.object({
          object: z.literal('search_result'),
          type: z.string().describe("The object's type, e.g. `customer`."),
          collection: z.string(),
          id: z.string(),
          title: z.string(),
          score: z.number().describe('Relevance: higher is better.'),
          data: z.record(z.string(), z.unknown()).describe('The object, as its collection returns it.'),
        }),
      ),
    }),
    async handle({ runtime, principal, query }) {
      const asked = query.types
        ? query.types
            .split(',')
            .map((name) => name.trim())
            .filter(Boolean)
        : undefined;
      for (const name of asked ?? []) {
        if (!collections.includes(name))
          throw badRequest(`types: '${name}' is not searchable; choose from ${collections.join(', ')}`, [
            { path: 'types', message: `'${name}' is not searchable` },
          ]);
        if (!hasScope(principal, `read:${name}`))
          throw new ApiError('insufficient_scope', `Searching ${name} needs the scope 'read:${name}'`, {
            required_scope: `read:${name}`,
          });
      }
      const targets = searchable.filter((resource) =>
        asked ? asked.includes(resource.collection) : hasScope(principal, `read:${resource.collection}`),
      );
      if (!targets.length)
        throw new ApiError('insufficient_scope', 'This credential cannot read any searchable collection', {
          required_scope: `read:${collections[0]}`,
        });
      if (UNSTORABLE_TEXT.test(query.q))
        throw badRequest('q: contains a NUL character or an unpaired surrogate', [
          { path: 'q', message: 'contains a NUL character or an unpaired surrogate' },
        ]);
      if (!hasSearchTerms(query.q))
        throw badRequest('q: needs at least one letter or digit', [
          { path: 'q', message: 'needs at least one letter or digit' },
        ]);
      const data = await tenantReadTransaction(runtime, principal.accountId, async (tx) => {
        const matches = await tx.query({
          sql: `${targets.map(rankedMatches).join('\nUNION ALL\n')}\nORDER BY score DESC, updated_at DESC, id LIMIT $3`,
          parameters: [principal.accountId, query.q, query.limit],
        });
        const objects = new Map<string, Record<string, unknown>>();
        for (const resource of targets) {
          const ids = matches.filter((match) => match.collection === resource.collection).map((match) => match.id);
          if (!ids.length) continue;
          for (const row of await tx.query(selectRowsByIds(resource, principal.accountId, ids)))
            objects.set(row.id, serialize(resource, row));
        }
        return matches
          .filter((match) => objects.has(match.id))
          .map((match) => {
            const resource = registry.get(match.collection);
            return {
              object: 'search_result',
              type: resource.name,
              collection: resource.collection,
              id: match.id,
              title: match.title ?? match.id,
              score: Number(match.score),
              data: objects.get(match.id)!,
            };
          });
      });
      return { status: 200, body: { data: { object: 'search_results', q: query.q, data } } };
    },
  });
}
