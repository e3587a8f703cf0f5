// A validated list query -> SQL: account filter, soft-delete filter, filters, search,
// keyset (cursor) or offset paging, and the optional count, all as parameterised statements.
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { sqlBuilder, compile } from '../../db/sql-builder.ts';
import type { SqlStatement } from '../../db/inline-parameters.ts';
import type { Row } from '../../db/database.ts';
import { queryableFields } from './queryable-fields.ts';
import { encodeCursor } from './cursor.ts';
import type { Filter, ListQuery, SortKey } from './parse-list-query.ts';
import type { ResourceDefinition } from '../contract.ts';
import { hasRecentIndex } from '../ddl/resource-ddl.ts';

type Eb = ExpressionBuilder<any, any>;

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

function filterExpression(eb: Eb, resource: ResourceDefinition, filter: Filter): Expression<SqlBool> {
  const column = eb.ref(filter.field);
  const isTags = queryableFields(resource).get(filter.field)?.kind === 'tags';
  const value = filter.value;
  switch (filter.operator) {
    case 'eq':
      return isTags ? sql<SqlBool>`${column} @> ${sql.val([value])}::text[]` : eb(column, '=', value);
    case 'contains':
      return isTags
        ? sql<SqlBool>`${column} @> ${sql.val([value])}::text[]`
        : eb(column, 'ilike', `%${escapeLike(String(value))}%`);
    case 'ne':
      return sql<SqlBool>`${column} IS DISTINCT FROM ${value}`;
    case 'gt':
      return eb(column, '>', value);
    case 'gte':
      return eb(column, '>=', value);
    case 'lt':
      return eb(column, '<', value);
    case 'lte':
      return eb(column, '<=', value);
    case 'in':
      return isTags ? sql<SqlBool>`${column} && ${sql.val(value)}::text[]` : eb(column, 'in', value as unknown[]);
    case 'nin':
      return isTags
        ? sql<SqlBool>`NOT (${column} && ${sql.val(value)}::text[])`
        : eb.or([eb(column, 'is', null), eb(column, 'not in', value as unknown[])]);
    case 'starts_with':
      return eb(column, 'ilike', `${escapeLike(String(value))}%`);
    case 'is_null':
      return value ? eb(column, 'is', null) : eb(column, 'is not', null);
  }
}

/** Columns every row has (never NULL), whatever the declaration says: a declared field added later is nullable. */
const NEVER_NULL = new Set(['id', 'created_at', 'updated_at']);

/** Rows strictly after `values` in the order of `keys`; NULLs sort as the largest value. */
function keysetExpression(eb: Eb, keys: SortKey[], values: unknown[]): Expression<SqlBool> {
  // One direction over columns that are never NULL (the default sort, -updated_at): a row comparison,
  // which PostgreSQL starts the index scan at, so a deep page reads no rows before the cursor.
  const sameDirection = keys.every((key) => key.descending === keys[0].descending);
  if (sameDirection && keys.every((key) => NEVER_NULL.has(key.field))) {
    // Kysely types tuples of 2 to 5 by arity; keys hold 2 (a sort and id) or more, all passed on.
    const columns = eb.refTuple(...(keys.map((key) => key.field) as [string, string]));
    return eb(columns, keys[0].descending ? '<' : '>', eb.tuple(...(values as [unknown, unknown])));
  }
  const after = (key: SortKey, value: unknown) => {
    const column = eb.ref(key.field);
    if (key.descending) return value === null ? eb(column, 'is not', null) : eb(column, '<', value);
    return value === null ? sql<SqlBool>`false` : eb.or([eb(column, '>', value), eb(column, 'is', null)]);
  };
  const equal = (key: SortKey, value: unknown) =>
    value === null ? eb(eb.ref(key.field), 'is', null) : eb(eb.ref(key.field), '=', value);
  return eb.or(
    keys.map((key, i) => eb.and([...keys.slice(0, i).map((k, j) => equal(k, values[j])), after(key, values[i])])),
  );
}

/** Sort keys with the id as final tie-breaker (same direction as the last key). */
export function sortKeysWithId(query: ListQuery): SortKey[] {
  return [...query.sort, { field: 'id', descending: query.sort[query.sort.length - 1].descending }];
}

function filteredQuery(resource: ResourceDefinition, accountId: string, query: ListQuery) {
  let select = sqlBuilder.selectFrom(resource.table).where('account_id', '=', accountId);
  if (resource.softDelete) select = select.where('deleted_at', 'is', null);
  for (const filter of query.filters) select = select.where((eb) => filterExpression(eb, resource, filter));
  // Terms as search-terms.ts cuts them, so what was stored and what is asked compare alike.
  if (query.search) select = select.where(sql<SqlBool>`search_vector @@ fieldline_search_query(${query.search})`);
  return select;
}

/** At most this many values are read as separate index ranges; past it, one scan with a filter. */
const MAX_VALUE_RANGES = 8;

/**
 * The filters each branch of a page runs with, when the page is better read as one ordered index range
 * per value: `field[in]=a,b` (or `ne`/`nin` on an enum or a boolean, as the values left, and NULL) on
 * a field indexed (account_id, field, created_at, id), listed in created_at order. As one statement,
 * PostgreSQL walks the account's created_at index and drops every row that does not match: all the
 * newest rows when they share the excluded value (bench/README.md, "Every filter × sort").
 */
function valueRanges(resource: ResourceDefinition, query: ListQuery): Filter[][] | undefined {
  if (query.sort.length !== 1 || query.sort[0].field !== 'created_at') return undefined;
  const split = query.filters.find(
    (filter) =>
      ['in', 'ne', 'nin'].includes(filter.operator) &&
      resource.fields[filter.field] &&
      hasRecentIndex(resource.fields[filter.field]),
  );
  if (!split) return undefined;
  const spec = resource.fields[split.field];
  let values: unknown[];
  if (split.operator === 'in') values = [...new Set(split.value as unknown[])];
  else {
    const domain = spec.kind === 'enum' ? spec.enumValues : spec.kind === 'boolean' ? [true, false] : undefined;
    if (!domain) return undefined;
    const excluded = split.operator === 'ne' ? [split.value] : (split.value as unknown[]);
    values = domain.filter((value) => !excluded.includes(value));
  }
  // `ne` is IS DISTINCT FROM and `nin` lets NULL through: a row added before the column had a default.
  const ranges: Filter[] = values.map((value) => ({ field: split.field, operator: 'eq', value }));
  if (split.operator !== 'in') ranges.push({ field: split.field, operator: 'is_null', value: true });
  if (ranges.length > MAX_VALUE_RANGES) return undefined;
  const others = query.filters.filter((filter) => filter !== split);
  return ranges.map((range) => [...others, range]);
}

export function compileListStatements(
  resource: ResourceDefinition,
  accountId: string,
  query: ListQuery,
): { page: SqlStatement; count?: SqlStatement } {
  const keys = sortKeysWithId(query);
  const ordered = <Q extends { orderBy: (...args: any[]) => Q }>(select: Q): Q =>
    keys.reduce(
      (q, key) => q.orderBy(key.field, (ob: any) => (key.descending ? ob.desc().nullsFirst() : ob.asc().nullsLast())),
      select,
    );
  const pageOf = (filters: Filter[]) => {
    let page = filteredQuery(resource, accountId, { ...query, filters }).select(resource.selectColumns as string[]);
    if (query.cursor) page = page.where((eb) => keysetExpression(eb, keys, query.cursor!.values));
    return ordered(page);
  };
  const ranges = valueRanges(resource, query);
  const rows = query.limit + 1;
  let page;
  if (!ranges) page = pageOf(query.filters).limit(rows);
  else {
    // Each range brings its own first rows in order; the page is the first of those.
    const branches = ranges.map((filters, i) =>
      sqlBuilder
        .selectFrom(
          pageOf(filters)
            .limit(rows + (query.offset ?? 0))
            .as(`range${i}`),
        )
        .selectAll(),
    );
    const merged = branches.slice(1).reduce((union, branch) => union.unionAll(branch), branches[0]);
    page = ordered(sqlBuilder.selectFrom(merged.as('ranges')).selectAll()).limit(rows);
  }
  if (query.offset) page = page.offset(query.offset);
  const wantsCount = query.count || query.offset !== undefined;
  const count = wantsCount
    ? compile(filteredQuery(resource, accountId, query).select(sql<number>`count(*)::int`.as('total')))
    : undefined;
  return { page: compile(page), count };
}

export function nextCursorAfter(query: ListQuery, lastRow: Row): string {
  return encodeCursor({
    sort: query.sortExpression,
    values: sortKeysWithId(query).map((key) => lastRow[key.field] ?? null),
  });
}
