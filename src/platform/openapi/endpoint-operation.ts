// One endpoint declaration -> one OpenAPI operation: query parameters and body from its Zod
// schemas, `{ data }` of its response schema, and the errors every gated route can answer.
import type { EndpointSpec } from '../routes/endpoint-spec.ts';
import { toJsonSchema } from './json-schema.ts';
import { ERROR_RESPONSES, IDEMPOTENT_REPLAYED_HEADER, RATE_LIMIT_HEADERS, ref } from './components.ts';

const jsonContent = (schema: unknown) => ({ 'application/json': { schema } });

function queryParameters(endpoint: EndpointSpec) {
  if (!endpoint.query) return [];
  const schema = toJsonSchema(endpoint.query) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
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

function pathParameters(endpoint: EndpointSpec) {
  return [...endpoint.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string', ...(endpoint.paramPatterns?.[name] ? { pattern: endpoint.paramPatterns[name] } : {}) },
  }));
}

/** An upload's form: its text fields and the file (binary). */
function uploadContent(endpoint: EndpointSpec) {
  const upload = endpoint.upload!;
  const fields = (endpoint.body ? toJsonSchema(endpoint.body) : { type: 'object', properties: {} }) as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
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
  return {
    'multipart/form-data': { schema, encoding: { [upload.field]: { contentType: upload.mediaTypes.join(', ') } } },
  };
}

export function buildEndpointOperation(endpoint: EndpointSpec) {
  const hasParams = endpoint.path.includes('{');
  const statuses = [
    401,
    403,
    ...(endpoint.query ? [400] : []),
    ...(endpoint.body || endpoint.upload ? [400, 413, 415, 422] : []),
    ...(hasParams ? [404] : []),
    ...(endpoint.method === 'get' ? [] : [409]),
    429,
  ];
  const data = endpoint.responseComponent
    ? ref('schemas', endpoint.responseComponent)
    : toJsonSchema(endpoint.response);
  const responses: Record<string, unknown> = {
    [endpoint.successStatus ?? 200]: {
      description: endpoint.summary,
      headers: { ...RATE_LIMIT_HEADERS, ...(endpoint.method === 'post' ? IDEMPOTENT_REPLAYED_HEADER : {}) },
      content: endpoint.responseMediaType
        ? { [endpoint.responseMediaType]: { schema: toJsonSchema(endpoint.response) } }
        : jsonContent({ type: 'object', required: ['data'], properties: { data } }),
    },
  };
  for (const status of [...new Set(statuses)].sort((a, b) => a - b).concat(500))
    responses[status] = ref('responses', ERROR_RESPONSES[status].name);
  const scopeText = endpoint.scope ? `Requires the scope \`${endpoint.scope}\`.` : 'Any valid credential may call it.';
  return {
    operationId: endpoint.operationId,
    summary: endpoint.summary,
    description: `${endpoint.description ? endpoint.description + '\n\n' : ''}${scopeText}`,
    tags: [endpoint.tag],
    security: [{ bearerAuth: [] }],
    ...(endpoint.scope ? { 'x-fieldline-scope': endpoint.scope } : {}),
    parameters: [
      ...pathParameters(endpoint),
      ...(endpoint.method === 'post' ? [ref('parameters', 'IdempotencyKey')] : []),
      ...queryParameters(endpoint),
    ],
    ...(endpoint.upload
      ? { requestBody: { required: true, content: uploadContent(endpoint) } }
      : endpoint.body
        ? { requestBody: { required: false, content: jsonContent(toJsonSchema(endpoint.body)) } }
        : {}),
    responses,
  };
}
