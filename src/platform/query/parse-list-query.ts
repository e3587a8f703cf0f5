// Query string -> a validated list query. Every name and value is checked against the
// declaration here, so the SQL compiler only ever sees known columns and typed values.
import { UNSTORABLE_TEXT } from '../storable-text.ts';
import { FILTER_OPERATORS, type FilterOperator } from '../resource/fields.ts';
import { badRequest } from '../errors.ts';
import { queryableFields, type QueryableField } from './queryable-fields.ts';
import { decodeCursor, type CursorPosition } from './cursor.ts';
import type { ResourceDefinition } from '../contract.ts';
import { hasSearchTerms } from './search-terms.ts';

export interface Filter {
  field: string;
  operator: FilterOperator;
  value: unknown;
}

export interface SortKey {
  field: string;
  descending: boolean;
}

export interface ListQuery {
  limit: number;
  cursor?: CursorPosition;
  offset?: number;
  count: boolean;
  filters: Filter[];
  sort: SortKey[];
  /** The sort as written, e.g. "-created_at" (cursors are bound to it). */
  sortExpression: string;
  /** Prefix-matching tsquery text built from `q`. */
  search?: string;
  fields?: ReadonlySet<string>;
  expand: string[];
}

export const RESERVED_PARAMETERS = ['limit', 'cursor', 'offset', 'count', 'sort', 'q', 'fields', 'expand'] as const;
export const DEFAULT_SORT = '-created_at';
export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;
const MAX_LIST_VALUES = 100;

const fail = (parameter: string, message: string) =>
  badRequest(`${parameter}: ${message}`, [{ path: parameter, message }]);

/** A real day of the calendar from year 0001 (PostgreSQL has no year zero): not 2026-02-30. */
function isCalendarDate(ymd: string): boolean {
  const [year, month, day] = ymd.split('-').map(Number);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function coerce(parameter: string, field: QueryableField, raw: string): unknown {
  switch (field.kind) {
    case 'integer':
    case 'money': {
      if (!/^-?\d{1,15}$/.test(raw)) throw fail(parameter, `expected an integer, got '${raw}'`);
      return Number(raw);
    }
    case 'number': {
      if (!/^-?\d{1,15}(\.\d{1,15})?$/.test(raw)) throw fail(parameter, `expected a number, got '${raw}'`);
      return Number(raw);
    }
    case 'datetime': {
      const ok =
        /^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:?\d\d)?)?$/.test(raw) &&
        !Number.isNaN(Date.parse(raw)) &&
        isCalendarDate(raw.slice(0, 10));
      const iso = ok ? new Date(raw.length === 10 ? `${raw}T00:00:00Z` : raw).toISOString() : '';
      if (!/^(?!0000)\d{4}-/.test(iso)) throw fail(parameter, `expected an RFC 3339 date or date-time, got '${raw}'`);
      return iso;
    }
    case 'date':
      if (!/^\d{4}-\d\d-\d\d$/.test(raw) || !isCalendarDate(raw))
        throw fail(parameter, `expected a date (YYYY-MM-DD), got '${raw}'`);
      return raw;
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw fail(parameter, `expected true or false, got '${raw}'`);
      return raw === 'true';
    case 'enum':
      if (!field.enumValues!.includes(raw))
        throw fail(parameter, `expected one of ${field.enumValues!.join(', ')}; got '${raw}'`);
      return raw;
    case 'currency':
      return raw.toUpperCase();
    default:
      if (raw.length > 500) throw fail(parameter, 'value is too long');
      return raw;
  }
}

function parseFilter(resource: ResourceDefinition, parameter: string, raw: string): Filter {
  const match = /^([a-z][a-z0-9_]*)(?:\[([a-z_]+)\])?$/.exec(parameter);
  const name = match?.[1] ?? parameter;
  const field = queryableFields(resource).get(name);
  if (!match || !field || field.operators.length === 0) {
    throw fail(parameter, `'${name}' is not a filter of ${resource.collection}`);
  }
  const operator = (match[2] ?? 'eq') as FilterOperator;
  if (!FILTER_OPERATORS.includes(operator) || !field.operators.includes(operator)) {
    throw fail(
      parameter,
      `operator '${operator}' is not supported for ${name}; use one of ${field.operators.join(', ')}`,
    );
  }
  if (operator === 'is_null') {
    if (raw !== 'true' && raw !== 'false') throw fail(parameter, 'expected true or false');
    return { field: name, operator, value: raw === 'true' };
  }
  if (operator === 'in' || operator === 'nin') {
    const items = raw.split(',').filter((item) => item !== '');
    if (items.length === 0 || items.length > MAX_LIST_VALUES)
      throw fail(parameter, `expected 1 to ${MAX_LIST_VALUES} comma-separated values`);
    return { field: name, operator, value: items.map((item) => coerce(parameter, field, item)) };
  }
  return { field: name, operator, value: coerce(parameter, field, raw) };
}

function parseSort(resource: ResourceDefinition, expression: string): SortKey[] {
  const fields = queryableFields(resource);
  const keys = expression.split(',').map((part) => {
    const descending = part.startsWith('-');
    const name = descending ? part.slice(1) : part;
    if (!fields.get(name)?.sortable) {
      const sortable = [...fields].filter(([, f]) => f.sortable).map(([n]) => n);
      throw fail('sort', `'${name}' is not sortable; sortable fields: ${sortable.join(', ')}`);
    }
    return { field: name, descending };
  });
  if (new Set(keys.map((k) => k.field)).size !== keys.length) throw fail('sort', 'a field appears twice');
  return keys;
}

function parseInteger(parameter: string, raw: string, min: number, max: number): number {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw fail(parameter, `expected an integer from ${min} to ${max}`);
  return Number(raw);
}

function parseList(parameter: string, raw: string, allowed: Set<string>, what: string): string[] {
  const names = raw.split(',').filter(Boolean);
  for (const name of names)
    if (!allowed.has(name)) throw fail(parameter, `'${name}' is not ${what}; choose from ${[...allowed].join(', ')}`);
  return names;
}

/** `fields` and `expand`, the two parameters a single object's GET shares with lists. */
export function parseFieldsAndExpand(
  resource: ResourceDefinition,
  params: URLSearchParams,
): { fields?: ReadonlySet<string>; expand: string[] } {
  const fields = params.has('fields')
    ? new Set([
        'id',
        'object',
        ...parseList('fields', params.get('fields')!, new Set(resource.outputFields), 'a field'),
      ])
    : undefined;
  if (!params.has('expand')) return { fields, expand: [] };
  const expandable = new Set(Object.values(resource.fields).flatMap((f) => (f.ref?.expandAs ? [f.ref.expandAs] : [])));
  return { fields, expand: parseList('expand', params.get('expand')!, expandable, 'an expandable relation') };
}

export function parseListQuery(
  resource: ResourceDefinition,
  params: URLSearchParams,
  options: { ignore?: string[] } = {},
): ListQuery {
  const seen = new Set<string>();
  const filters: Filter[] = [];
  for (const [parameter, raw] of params) {
    if (seen.has(parameter)) throw fail(parameter, 'given more than once');
    if (UNSTORABLE_TEXT.test(raw))
      throw fail(parameter, 'contains a NUL character or an unpaired surrogate, which is not allowed');
    seen.add(parameter);
    if ((RESERVED_PARAMETERS as readonly string[]).includes(parameter) || options.ignore?.includes(parameter)) continue;
    filters.push(parseFilter(resource, parameter, raw));
  }
  const sortExpression = params.get('sort') || DEFAULT_SORT;
  const sort = parseSort(resource, sortExpression);
  const limit = params.has('limit') ? parseInteger('limit', params.get('limit')!, 1, MAX_LIMIT) : DEFAULT_LIMIT;
  const offset = params.has('offset') ? parseInteger('offset', params.get('offset')!, 0, 1_000_000) : undefined;
  const rawCursor = params.get('cursor');
  if (rawCursor && offset !== undefined) throw fail('offset', 'use either cursor or offset, not both');
  const countRaw = params.get('count');
  if (countRaw !== null && countRaw !== 'true' && countRaw !== 'false') throw fail('count', 'expected true or false');
  const count = countRaw === 'true';

  let search: string | undefined;
  const q = params.get('q');
  if (q !== null && q.trim() !== '') {
    if (resource.searchFields.length === 0) throw fail('q', `${resource.collection} does not support search`);
    if (q.length > 200) throw fail('q', 'at most 200 characters');
    if (hasSearchTerms(q)) search = q; // matched by fieldline_search_query (search-terms.ts)
  }
  const { fields, expand } = parseFieldsAndExpand(resource, params);

  const cursor = rawCursor ? decodeCursor(rawCursor, sortExpression, sort.length + 1) : undefined;
  if (cursor) checkCursorValues(resource, sort, cursor.values);
  return { limit, offset, count, filters, sort, sortExpression, search, fields, expand, cursor };
}

/**
 * A cursor is client input: each value must have its sort key's type (a forged
 * `["-created_at", "not a date", ...]` would otherwise reach SQL and fail there).
 */
function checkCursorValues(resource: ResourceDefinition, sort: SortKey[], values: unknown[]): void {
  const fields = queryableFields(resource);
  const names = [...sort.map((key) => key.field), 'id'];
  const valid = names.every((name, i) => {
    const value = values[i];
    if (value === null) return name !== 'id';
    const kind = fields.get(name)!.kind;
    if (kind === 'integer' || kind === 'money') return Number.isSafeInteger(value);
    if (kind === 'number') return typeof value === 'number' && Number.isFinite(value);
    if (kind === 'boolean') return typeof value === 'boolean';
    if (typeof value !== 'string' || UNSTORABLE_TEXT.test(value)) return false;
    if (kind !== 'datetime' && kind !== 'date') return true;
    try {
      coerce('cursor', fields.get(name)!, value);
      return true;
    } catch {
      return false;
    }
  });
  if (!valid) {
    throw badRequest('cursor is not valid for this query: pass the next_cursor of a previous page with the same sort', [
      { path: 'cursor', message: 'Invalid cursor' },
    ]);
  }
}
