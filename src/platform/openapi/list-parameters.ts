// The query parameters of a resource's list, export and get, documented from its declaration:
// paging, sort and search, `fields` and `expand`, and one parameter per filter operator.
import { queryableFields } from '../query/queryable-fields.ts';
import { EXPORT_FORMATS } from '../operations/export.ts';
import { ref } from './components.ts';
import type { ResourceDefinition } from '../contract.ts';

const OPERATOR_TEXT: Record<string, string> = {
  eq: 'equals',
  ne: 'does not equal',
  gt: 'is greater than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  in: 'is one of (comma-separated)',
  nin: 'is none of (comma-separated)',
  contains: 'contains (case-insensitive)',
  starts_with: 'starts with (case-insensitive)',
  is_null: 'is empty (true) or set (false)',
};

function filterParameters(resource: ResourceDefinition) {
  return [...queryableFields(resource)].flatMap(([name, field]) =>
    field.operators.map((operator) => {
      const valueSchema =
        field.enumValues && ['eq', 'ne'].includes(operator)
          ? { type: 'string', enum: field.enumValues }
          : { type: 'string' };
      const schema = operator === 'is_null' ? { type: 'boolean' } : valueSchema;
      const subject = field.kind === 'tags' ? `${name} includes` : `${name} ${OPERATOR_TEXT[operator]}`;
      return {
        name: operator === 'eq' ? name : `${name}[${operator}]`,
        in: 'query',
        required: false,
        description: `Only objects whose ${subject}.`,
        schema,
      };
    }),
  );
}

const expandable = (resource: ResourceDefinition) =>
  Object.values(resource.fields).flatMap((f) => (f.ref?.expandAs ? [f.ref.expandAs] : []));

const expandParameter = (names: string[]) => ({
  name: 'expand',
  in: 'query',
  description:
    `Embed related objects: ${names.join(', ')}. ` +
    'Each needs the read scope of its own collection (403 `insufficient_scope` naming it).',
  schema: { type: 'string' },
});

export function listParameters(resource: ResourceDefinition, forExport: boolean): unknown[] {
  const fields = queryableFields(resource);
  const sortable = [...fields].filter(([, f]) => f.sortable).map(([n]) => n);
  const expands = expandable(resource);
  const parameters: unknown[] = forExport
    ? [
        { name: 'format', in: 'query', schema: { type: 'string', enum: EXPORT_FORMATS, default: 'json' } },
        ref('parameters', 'Fields'),
      ]
    : [
        ref('parameters', 'Limit'),
        ref('parameters', 'Cursor'),
        ref('parameters', 'Offset'),
        ref('parameters', 'Count'),
        ref('parameters', 'Fields'),
      ];
  parameters.push({
    name: 'sort',
    in: 'query',
    description:
      `Comma-separated sort keys, \`-\` for descending. Sortable: ${sortable.join(', ')}. ` + `Ties are broken by id.`,
    schema: { type: 'string', default: '-created_at' },
  });
  if (resource.searchFields.length)
    parameters.push({
      name: 'q',
      in: 'query',
      description: `Full-text prefix search over ${resource.searchFields.join(', ')}.`,
      schema: { type: 'string', maxLength: 200 },
    });
  if (expands.length && !forExport) parameters.push(expandParameter(expands));
  return [...parameters, ...filterParameters(resource)];
}

/** GET /{collection}/{id}: `fields` and `expand`. */
export function getParameters(resource: ResourceDefinition): unknown[] {
  const expands = expandable(resource);
  return [ref('parameters', 'Fields'), ...(expands.length ? [expandParameter(expands)] : [])];
}
