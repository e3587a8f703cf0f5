// Registry + route table -> the OpenAPI 3.1 document. Nothing here is written per resource.
import type { Registry } from '../registry.ts';
import type { RouteSpec } from '../routes/route-spec.ts';
import type { EndpointSpec } from '../routes/endpoint-spec.ts';
import { SDK_NAME, endpointSdkName, routeSdkName } from './sdk-name.ts';
import { buildEndpointOperation } from './endpoint-operation.ts';
import { createInputSchema, objectSchema, updateInputSchema } from '../resource/schemas.ts';
import { toJsonSchema } from './json-schema.ts';
import {
  IDEMPOTENCY_KEY_PARAMETER,
  LIST_PARAMETERS,
  PAGE_SCHEMA,
  PROBLEM_SCHEMA,
  errorResponseComponents,
  ref,
} from './components.ts';
import { buildOperation, schemaName } from './operation.ts';

export const API_VERSION = '2026-11-01';

const DESCRIPTION = `The Fieldline API: customers, jobs, invoices and payments for field-service businesses.

**Authentication.** Send an API key as \`Authorization: Bearer fl_test_...\`. Keys carry scopes
(\`read:customers\`, \`write:jobs\`, \`read:*\`, \`write:*\`); a missing scope is \`403 insufficient_scope\`.

**Conventions.** JSON is snake_case; timestamps are RFC 3339 UTC; money is an integer in the
currency's minor unit. Ids carry a type prefix (\`cus_\`, \`job_\`). Lists page with \`cursor\`
(or \`offset\`), filter with \`field[op]=value\` (eq ne gt gte lt lte in nin contains starts_with is_null),
sort with \`sort=-created_at,name\`, search with \`q\`, trim with \`fields\` and embed with \`expand\`.

**Errors** are RFC 9457 problem details with a stable \`code\` and the \`request_id\`.

**Rate limits.** Per API key in three buckets (\`read\`, \`write\`, \`expensive\`: export, bulk,
search, analytics), announced on every response by \`RateLimit-Policy\` and \`RateLimit\` (IETF draft);
\`429 rate_limited\` with \`Retry-After\` when exceeded, \`429 quota_exceeded\` when the plan's monthly
quota is used up. \`GET /v1/rate-limit\` shows the current budget.

**Events.** Every change writes an event (\`GET /v1/events\`) in the same transaction.`;

const ENDPOINT_TAGS: Record<string, string> = {
  Account: 'Your account (tenant): name, plan, allowed browser origins.',
  Traffic: 'Rate limits, quotas and request echo for debugging integrations.',
  Analytics: 'Usage and errors of your API traffic, computed from the request log.',
};

export function buildOpenApiDocument(registry: Registry, routes: RouteSpec[], endpoints: EndpointSpec[] = []) {
  const schemas: Record<string, unknown> = {
    Problem: PROBLEM_SCHEMA,
    Page: PAGE_SCHEMA,
    DeletedObject: {
      type: 'object',
      required: ['id', 'object', 'deleted'],
      properties: { id: { type: 'string' }, object: { type: 'string' }, deleted: { const: true } },
    },
    BulkResult: {
      type: 'object',
      required: ['index', 'action', 'status', 'data'],
      properties: {
        index: { type: 'integer' },
        action: { type: 'string', enum: ['create', 'update', 'delete'] },
        status: { type: 'integer' },
        data: { type: 'object' },
      },
    },
  };
  for (const resource of registry.resources) {
    const name = schemaName(resource);
    schemas[name] = toJsonSchema(objectSchema(resource));
    if (resource.operations.has('create')) schemas[`${name}Create`] = toJsonSchema(createInputSchema(resource));
    if (resource.operations.has('update')) schemas[`${name}Update`] = toJsonSchema(updateInputSchema(resource));
    if (resource.operations.has('list')) {
      schemas[`${name}List`] = {
        type: 'object',
        required: ['data', 'page'],
        properties: { data: { type: 'array', items: ref('schemas', name) }, page: ref('schemas', 'Page') },
      };
    }
  }

  const paths: Record<string, Record<string, unknown>> = {};
  const sdkNames = new Map<string, string>();
  const named = (operation: { operationId: string }, sdkName: string) => {
    const taken = sdkNames.get(sdkName);
    if (taken) throw new Error(`${operation.operationId} and ${taken} would both be '${sdkName}' in the SDKs`);
    sdkNames.set(sdkName, operation.operationId);
    return { ...operation, [SDK_NAME]: sdkName };
  };
  for (const route of routes)
    (paths[route.path] ??= {})[route.method] = named(buildOperation(route, registry), routeSdkName(route));
  for (const endpoint of endpoints) {
    const singular = endpoint.collection ? registry.get(endpoint.collection).name : undefined;
    (paths[endpoint.path] ??= {})[endpoint.method] = named(
      buildEndpointOperation(endpoint),
      endpointSdkName(endpoint, singular),
    );
  }
  const resourceTags = new Set(registry.resources.map(schemaName));
  const endpointTags = [...new Set(endpoints.map((endpoint) => endpoint.tag))].filter((tag) => !resourceTags.has(tag));
  const scopes = registry.scopes();
  for (const endpoint of endpoints) {
    if (endpoint.scope && !scopes.includes(endpoint.scope))
      throw new Error(`${endpoint.operationId}: scope '${endpoint.scope}' is not in the registry's catalogue`);
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Fieldline API',
      version: API_VERSION,
      description: DESCRIPTION,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'This server' }],
    security: [{ bearerAuth: [] }],
    tags: [
      ...registry.resources.map((resource) => ({ name: schemaName(resource), description: resource.description })),
      ...endpointTags.map((name) => ({ name, description: ENDPOINT_TAGS[name] ?? name })),
    ],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            "An API key (`fl_live_...`, `fl_test_...`), an OAuth access token (`flo_at_...`) or a person's session token.",
        },
      },
      schemas,
      parameters: { ...LIST_PARAMETERS, IdempotencyKey: IDEMPOTENCY_KEY_PARAMETER },
      responses: errorResponseComponents(),
    },
    'x-fieldline-events': registry.eventTypes(),
    'x-fieldline-scopes': scopes,
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
