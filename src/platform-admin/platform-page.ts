// Keyset pages of the platform's lists, newest first: `limit` (1-100, default 25) and `cursor`
// (the `next_cursor` of the page before), as every list of the API pages (api-conventions.md).
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../platform/query/cursor.ts';

const SORT = '-created_at';

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
};

/** The (created_at, id) the page starts after, or nulls for the first page. */
export function pageStart(cursor: string | undefined): [string | null, string | null] {
  if (!cursor) return [null, null];
  const { values } = decodeCursor(cursor, SORT, 2);
  return [String(values[0]), String(values[1])];
}

/** SQL for "after the cursor, newest first", given the cursor's created_at and id as parameters. */
export const afterCursorSql = (at: string, id: string, table = '') =>
  `(${at}::timestamptz IS NULL OR (${table}created_at, ${table}id) < (${at}::timestamptz, ${id}))`;

/** The answer for `rows` read with `limit + 1`: the page and whether there is more. */
export function pageOf<T extends { id: string; created_at: string }>(rows: T[], limit: number) {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  const hasMore = rows.length > limit;
  return {
    data,
    page: {
      has_more: hasMore,
      next_cursor: hasMore && last ? encodeCursor({ sort: SORT, values: [last.created_at, last.id] }) : null,
    },
  };
}

export const Page = z.object({ has_more: z.boolean(), next_cursor: z.string().nullable() });
