// List: one round trip for the page (and its count), one more only when expanding.
import type { Row } from '../../db/database.ts';
import { tenantRead } from './tenant-read.ts';
import { parseListQuery, type ListQuery } from '../query/parse-list-query.ts';
import { compileListStatements, nextCursorAfter } from '../query/compile-list.ts';
import { expandRelations } from './expand.ts';
import { serialize } from './serialize.ts';
import type { Principal } from './principal.ts';
import type { ResourceDefinition, Runtime } from '../contract.ts';

export interface Page {
  has_more: boolean;
  next_cursor: string | null;
  total?: number;
}

export async function fetchPage(
  runtime: Runtime,
  resource: ResourceDefinition,
  principal: Principal,
  asked: ListQuery,
): Promise<{ rows: Row[]; page: Page }> {
  const readable = resource.readableRows?.(principal, runtime.registry);
  if (readable?.values.length === 0)
    return { rows: [], page: { has_more: false, next_cursor: null, ...(asked.count && { total: 0 }) } };
  const query = readable
    ? {
        ...asked,
        filters: [...asked.filters, { field: readable.field, operator: 'in' as const, value: readable.values }],
      }
    : asked;
  const { page, count } = compileListStatements(resource, principal.accountId, query);
  const [pageRows, countRows] = await tenantRead(runtime, principal.accountId, count ? [page, count] : [page]);
  const hasMore = pageRows.length > query.limit;
  const rows = hasMore ? pageRows.slice(0, query.limit) : pageRows;
  const result: Page = {
    has_more: hasMore,
    next_cursor: hasMore && query.offset === undefined ? nextCursorAfter(query, rows[rows.length - 1]) : null,
  };
  if (countRows) result.total = Number(countRows[0].total);
  return { rows, page: result };
}

export async function listOperation(
  runtime: Runtime,
  resource: ResourceDefinition,
  principal: Principal,
  params: URLSearchParams,
) {
  const query = parseListQuery(resource, params);
  const { rows, page } = await fetchPage(runtime, resource, principal, query);
  const data = rows.map((row) => serialize(resource, row, query.fields));
  await expandRelations(runtime, resource, principal, rows, data, query.expand);
  return { data, page };
}
