// The list filter operators, restated independently of the SQL compiler: the conventions
// suite checks the API's answers against these predicates.
import type { FilterOperator } from '../../src/platform/resource/fields.ts';

const comparable = (value: unknown) =>
  (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(value) : value) as number | string;

export function matchesFilter(value: unknown, operator: FilterOperator, probe: unknown, isTags: boolean): boolean {
  const list = Array.isArray(probe) ? probe : [probe];
  if (isTags) {
    const tags = (value as string[]) ?? [];
    if (operator === 'eq' || operator === 'contains') return tags.includes(probe as string);
    if (operator === 'in') return list.some((t) => tags.includes(t));
    if (operator === 'nin') return !list.some((t) => tags.includes(t));
  }
  switch (operator) {
    case 'eq':
      return value !== null && comparable(value) === comparable(probe);
    case 'ne':
      return value === null || comparable(value) !== comparable(probe);
    case 'gt':
      return value !== null && comparable(value) > comparable(probe);
    case 'gte':
      return value !== null && comparable(value) >= comparable(probe);
    case 'lt':
      return value !== null && comparable(value) < comparable(probe);
    case 'lte':
      return value !== null && comparable(value) <= comparable(probe);
    case 'in':
      return value !== null && list.map(comparable).includes(comparable(value));
    case 'nin':
      return value === null || !list.map(comparable).includes(comparable(value));
    case 'contains':
      return typeof value === 'string' && value.toLowerCase().includes(String(probe).toLowerCase());
    case 'starts_with':
      return typeof value === 'string' && value.toLowerCase().startsWith(String(probe).toLowerCase());
    case 'is_null':
      return (value === null) === probe;
  }
  throw new Error(`no semantics for ${operator}`);
}

/** Probe values for an operator, taken from real objects' values. */
export function probesFor(operator: FilterOperator, values: unknown[], isTags: boolean): unknown[] {
  const present = values.flatMap((v) => (isTags ? (v as string[]) : v === null ? [] : [v]));
  const distinct = [...new Set(present.map((v) => JSON.stringify(v)))].map((v) => JSON.parse(v));
  if (operator === 'is_null') return [true, false];
  if (distinct.length === 0) return [];
  if (operator === 'in' || operator === 'nin') return [distinct.slice(0, 2)];
  if (operator === 'contains' && !isTags) return [String(distinct[0]).slice(1, 4)];
  if (operator === 'starts_with') return [String(distinct[0]).slice(0, 3).toUpperCase()];
  return distinct.slice(0, 2);
}

export const toQueryValue = (probe: unknown) => (Array.isArray(probe) ? probe.join(',') : String(probe));
