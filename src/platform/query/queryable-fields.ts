// Which names a list query may filter and sort on: declared fields plus the system fields.
import type { FieldKind, FilterOperator } from '../resource/fields.ts';
import type { ResourceDefinition } from '../contract.ts';

export interface QueryableField {
  kind: FieldKind | 'id';
  operators: readonly FilterOperator[];
  sortable: boolean;
  enumValues?: readonly string[];
  /** False when the column cannot hold NULL (system columns, required fields). */
  nullable: boolean;
}

const TIMESTAMP_OPERATORS: FilterOperator[] = ['eq', 'gt', 'gte', 'lt', 'lte'];
const cache = new WeakMap<ResourceDefinition, Map<string, QueryableField>>();

export function queryableFields(resource: ResourceDefinition): Map<string, QueryableField> {
  let fields = cache.get(resource);
  if (fields) return fields;
  fields = new Map<string, QueryableField>([
    ['id', { kind: 'id', operators: ['eq', 'in', 'nin'], sortable: false, nullable: false }],
    ['created_at', { kind: 'datetime', operators: TIMESTAMP_OPERATORS, sortable: true, nullable: false }],
    ['updated_at', { kind: 'datetime', operators: TIMESTAMP_OPERATORS, sortable: true, nullable: false }],
  ]);
  for (const [name, spec] of Object.entries(resource.fields)) {
    if (!spec.filterOperators.length && !spec.sortable) continue;
    fields.set(name, {
      kind: spec.kind,
      operators: spec.filterOperators,
      sortable: spec.sortable,
      enumValues: spec.enumValues,
      nullable: !spec.required && spec.defaultValue === undefined,
    });
  }
  cache.set(resource, fields);
  return fields;
}
