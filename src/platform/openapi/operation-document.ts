// One operation of the table -> one OpenAPI operation: parameters from its path and query,
// the body from its Zod schema, the success from its response, and the errors it can answer,
// derived from what it accepts. Nothing here is written per operation.
import type { Operation, ResponseSpec } from '../api/operation.ts';
import { acceptsIdempotencyKey, pathParameterNames } from '../api/operation.ts';
import { SDK_NAME } from './sdk-name.ts';
import { toJsonSchema } from './json-schema.ts';
import { ERROR_RESPONSES, IDEMPOTENT_REPLAYED_HEADER, RATE_LIMIT_HEADERS, ref } from './components.ts';

type JsonSchemaObject = { properties?: Record<string, Record<string, unknown>>; required?: string[] };

function pathParameters(operation: Operation) {
  return pathParameterNames(operation.path).map((name) => {
    const declared = operation.params?.[name];
    return { name, in: 'path', required: true, schema: { type: 'string', ...declared } };
  });
}

function queryParameters(operation: Operation): readonly unknown[] {
  const query = operation.query;
  if (!query) return [];
  if (!('schema' in query)) return query.parameters;
  const schema = toJsonSchema(query.schema) as JsonSchemaObject;
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: 'query',
      required: schema.required?.includes(name) ?? false,
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function requestBody(operation: Operation) {
  const body = operation.body;
  if (!body) return undefined;
  if ('json' in body)
    return { required: body.required, content: { 'application/json': { schema: toJsonSchema(body.json) } } };
  if ('form' in body) {
    return { required: true, content: { 'application/x-www-form-urlencoded': { schema: toJsonSchema(body.form) } } };
  }
  if ('text' in body) return { required: true, content: { [body.mediaType]: { schema: toJsonSchema(body.text) } } };
  const { upload } = body;
  const fields = (body.fields ? toJsonSchema(body.fields) : { type: 'object', properties: {} }) as JsonSchemaObject;
  const schema = {
    type: 'object',
    properties: {
      [upload.field]: {
        type: 'string',
        format: 'binary',
        description: `At most ${upload.maxBytes} bytes: ${upload.mediaTypes.join(', ')}.`,
      },
      ...fields.properties,
    },
    required: [upload.field, ...(fields.required ?? [])],
  };
  const encoding = { [upload.field]: { contentType: upload.mediaTypes.join(', ') } };
  return { required: true, content: { 'multipart/form-data': { schema, encoding } } };
}

/** What the operation can fail with, from what it accepts. */
export function errorStatuses(operation: Operation): number[] {
  if (operation.errors) return [...operation.errors];
  const byProvider = operation.authentication === 'signature';
  const body = operation.body;
  // Operator routes answer 404 to anyone not an operator, never 401 (operator-authentication.ts).
  const byOperator = operation.authentication === 'operator';
  const statuses = [
    ...(byProvider ? [] : byOperator ? [403, 404] : [401, 403]),
    ...(operation.query ? [400] : []),
    ...(body ? [400, 413, ...('text' in body ? [] : [415]), 422] : []),
    ...(operation.path.includes('{') ? [404] : []),
    // Any write can conflict: a lifecycle state, a unique field, a concurrent change.
    ...(operation.method === 'get' || byProvider ? [] : [409]),
    429,
  ];
  // Any call can meet a failure, or the database away (503 database_unavailable, with Retry-After).
  return [...new Set(statuses)].sort((a, b) => a - b).concat(500, 503);
}

function successResponse(operation: Operation, response: ResponseSpec = operation.response) {
  const headers: Record<string, unknown> = {};
  for (const name of response.headers ?? []) headers[name] = { schema: { type: 'string' } };
  if (operation.authentication !== 'signature') Object.assign(headers, RATE_LIMIT_HEADERS);
  if (acceptsIdempotencyKey(operation)) Object.assign(headers, IDEMPOTENT_REPLAYED_HEADER);
  const content = response.json
    ? { 'application/json': { schema: toJsonSchema(response.json) } }
    : Object.fromEntries(
        Object.entries(response.content ?? {}).map(([type, schema]) => [type, { schema: toJsonSchema(schema) }]),
      );
  return { description: response.description, ...(Object.keys(headers).length ? { headers } : {}), content };
}

/** `scopeSecurity`: what else a scoped operation accepts (an OAuth token with its scope). */
export function operationDocument(operation: Operation, scopeSecurity: (scope: string) => Record<string, string[]>[]) {
  const responses: Record<string, unknown> = { [operation.response.status]: successResponse(operation) };
  for (const other of operation.alsoResponds ?? []) responses[other.status] = successResponse(operation, other);
  for (const status of errorStatuses(operation)) responses[status] = ref('responses', ERROR_RESPONSES[status].name);
  const scopeText = operation.scope
    ? `Requires the scope \`${operation.scope}\`.`
    : operation.authentication === 'credential'
      ? 'Any valid credential may call it.'
      : undefined;
  const open = operation.authentication === 'none' || operation.authentication === 'signature';
  const security = open
    ? []
    : operation.authentication === 'customer'
      ? [{ customerSession: [] }]
      : operation.authentication === 'operator'
        ? [{ operatorSession: [] }]
        : [{ bearerAuth: [] }, ...(operation.scope ? scopeSecurity(operation.scope) : [])];
  const body = requestBody(operation);
  const idempotent = acceptsIdempotencyKey(operation);
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description || scopeText
      ? { description: [operation.description, scopeText].filter(Boolean).join('\n\n') }
      : {}),
    tags: [operation.tag],
    security,
    ...(operation.scope ? { 'x-fieldline-scope': operation.scope } : {}),
    ...(typeof operation.sdk === 'string' ? { [SDK_NAME]: operation.sdk } : {}),
    ...operation.extensions,
    parameters: [
      ...pathParameters(operation),
      ...(idempotent ? [ref('parameters', 'IdempotencyKey')] : []),
      ...queryParameters(operation),
    ],
    ...(body ? { requestBody: body } : {}),
    responses,
  };
}
