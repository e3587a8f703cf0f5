// One route of the table -> one OpenAPI operation: parameters, body, responses, scope.
import type { RouteSpec } from '../routes/route-spec.ts';
import type { ResourceDefinition } from '../resource/define-resource.ts';
import { actionInputSchema } from '../operations/run-action.ts';
import { bulkRequestSchema } from '../operations/bulk.ts';
import { queryableFields } from '../query/queryable-fields.ts';
import { EXPORT_FORMATS } from '../operations/export.ts';
import { toJsonSchema } from './json-schema.ts';
import { ERROR_RESPONSES, IDEMPOTENT_REPLAYED_HEADER, RATE_LIMIT_HEADERS, ref } from './components.ts';
import type { Registry } from '../registry.ts';

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

export const schemaName = (resource: ResourceDefinition) =>
  resource.name
    .split(/[-_]/)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');

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

function listParameters(resource: ResourceDefinition, forExport: boolean) {
  const fields = queryableFields(resource);
  const sortable = [...fields].filter(([, f]) => f.sortable).map(([n]) => n);
  const expandable = Object.values(resource.fields).flatMap((f) => (f.ref?.expandAs ? [f.ref.expandAs] : []));
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
    description: `Comma-separated sort keys, \`-\` for descending. Sortable: ${sortable.join(', ')}. Ties are broken by id.`,
    schema: { type: 'string', default: '-created_at' },
  });
  if (resource.searchFields.length)
    parameters.push({
      name: 'q',
      in: 'query',
      description: `Full-text prefix search over ${resource.searchFields.join(', ')}.`,
      schema: { type: 'string', maxLength: 200 },
    });
  if (expandable.length && !forExport) parameters.push(expandParameter(expandable));
  return [...parameters, ...filterParameters(resource)];
}

const expandParameter = (names: string[]) => ({
  name: 'expand',
  in: 'query',
  description: `Embed related objects: ${names.join(', ')}.`,
  schema: { type: 'string' },
});
const idParameter = (resource: ResourceDefinition) => ({
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: `^${resource.idPrefix}_` },
});
const jsonContent = (schema: unknown) => ({ 'application/json': { schema } });
const dataOf = (schema: unknown) => ({ type: 'object', required: ['data'], properties: { data: schema } });

function requestSchema(route: RouteSpec): unknown {
  const name = schemaName(route.resource);
  switch (route.kind) {
    case 'create':
      return ref('schemas', `${name}Create`);
    case 'update':
      return ref('schemas', `${name}Update`);
    case 'bulk':
      return toJsonSchema(bulkRequestSchema(route.resource));
    case 'action':
      return toJsonSchema(actionInputSchema(route.resource.actions[route.actionName!]));
    default:
      return undefined;
  }
}

/** The object plus members only this answer carries (a new secret), documented by name. */
function withRevealed(object: object, revealed: Record<string, string> | undefined): object {
  if (!revealed) return object;
  return {
    allOf: [
      object,
      {
        type: 'object',
        required: Object.keys(revealed),
        // Timestamps are named `*_at` throughout the API.
        properties: Object.fromEntries(
          Object.entries(revealed).map(([name, description]) => [
            name,
            { type: 'string', ...(name.endsWith('_at') ? { format: 'date-time' } : {}), description },
          ]),
        ),
      },
    ],
  };
}
function successResponse(route: RouteSpec, registry: Registry) {
  const object = ref('schemas', schemaName(route.resource));
  switch (route.kind) {
    case 'list':
      return {
        description: 'A page of objects.',
        content: jsonContent(ref('schemas', `${schemaName(route.resource)}List`)),
      };
    case 'export':
      return {
        description: 'Every matching object, streamed.',
        content: {
          'text/csv': { schema: { type: 'string' } },
          'application/json': { schema: { type: 'array', items: object } },
        },
      };
    case 'delete':
      return { description: 'The object was deleted.', content: jsonContent(dataOf(ref('schemas', 'DeletedObject'))) };
    case 'bulk':
      return {
        description: 'Every item succeeded, in request order.',
        content: jsonContent(dataOf({ type: 'array', items: ref('schemas', 'BulkResult') })),
      };
    case 'action': {
      const action = route.resource.actions[route.actionName!];
      if (action.respondsWith) {
        const target = registry.get(action.respondsWith);
        const headers = action.status === 201 ? { headers: { Location: { schema: { type: 'string' } } } } : {};
        return {
          description: `The ${target.name} created.`,
          ...headers,
          content: jsonContent(dataOf(ref('schemas', schemaName(target)))),
        };
      }
      const accepted = action.status === 202 ? 'Accepted: the work is queued. ' : '';
      if (action.answers)
        return { description: `${accepted}The result.`, content: jsonContent(dataOf(toJsonSchema(action.answers))) };
      return {
        description: `${accepted}The object after the action.`,
        content: jsonContent(dataOf(withRevealed(object, action.reveals))),
      };
    }
    case 'create':
      return {
        description: 'The created object.',
        headers: { Location: { schema: { type: 'string' } } },
        content: jsonContent(dataOf(withRevealed(object, route.resource.revealedOnCreate))),
      };
    default:
      return { description: 'The object.', content: jsonContent(dataOf(object)) };
  }
}

function errorStatuses(route: RouteSpec): number[] {
  const statuses = [401, 403];
  const hasId = route.path.includes('{id}');
  if (route.kind === 'list' || route.kind === 'export' || route.kind === 'get') statuses.push(400);
  if (hasId) statuses.push(404);
  if (route.body !== 'none') statuses.push(400, 413, 415, 422);
  // Any write can conflict: a lifecycle state, a unique field, a concurrent change.
  if (route.method !== 'get') statuses.push(409);
  statuses.push(429);
  return [...new Set(statuses)].sort((a, b) => a - b).concat(500);
}

export function buildOperation(route: RouteSpec, registry: Registry) {
  const parameters: unknown[] = [];
  if (route.path.includes('{id}')) parameters.push(idParameter(route.parent ?? route.resource));
  if (route.method === 'post') parameters.push(ref('parameters', 'IdempotencyKey'));
  if (route.kind === 'list' || route.kind === 'export')
    parameters.push(...listParameters(route.resource, route.kind === 'export'));
  if (route.kind === 'get') {
    const expandable = Object.values(route.resource.fields).flatMap((f) => (f.ref?.expandAs ? [f.ref.expandAs] : []));
    parameters.push(ref('parameters', 'Fields'), ...(expandable.length ? [expandParameter(expandable)] : []));
  }
  const body = requestSchema(route);
  const success: Record<string, any> = successResponse(route, registry);
  success.headers = { ...success.headers, ...RATE_LIMIT_HEADERS };
  if (route.method === 'post') {
    success.headers = { ...success.headers, ...IDEMPOTENT_REPLAYED_HEADER };
  }
  const responses: Record<string, unknown> = { [route.successStatus]: success };
  for (const status of errorStatuses(route)) responses[status] = ref('responses', ERROR_RESPONSES[status].name);
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `${route.description ? route.description + '\n\n' : ''}Requires the scope \`${route.scope}\`.`,
    tags: [schemaName(route.resource)],
    security: [{ bearerAuth: [] }],
    'x-fieldline-scope': route.scope,
    parameters,
    ...(body ? { requestBody: { required: route.body === 'required', content: jsonContent(body) } } : {}),
    responses,
  };
}
