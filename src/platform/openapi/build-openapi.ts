// The operation table -> the OpenAPI 3.1 document, in one pass: schemas from the registry,
// one operation per documented entry of the table, and what modules add (tags, security
// schemes, extensions). Nothing here is written per resource or per operation.
import { exampleRequest } from './request-examples.ts';
import type { FeatureModule } from '../api/module.ts';
import type { Operation } from '../api/operation.ts';
import { createInputSchema, objectSchema, updateInputSchema } from '../resource/schemas.ts';
import { schemaName } from '../naming.ts';
import { toJsonSchema } from './json-schema.ts';
import { operationDocument } from './operation-document.ts';
import {
  IDEMPOTENCY_KEY_PARAMETER,
  LIST_PARAMETERS,
  PAGE_SCHEMA,
  PROBLEM_SCHEMA,
  errorResponseComponents,
  ref,
} from './components.ts';
import type { Registry } from '../contract.ts';

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

export interface DocumentSources {
  registry: Registry;
  operations: readonly Operation[];
  modules: readonly FeatureModule[];
}

function componentSchemas(registry: Registry): Record<string, unknown> {
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
  return schemas;
}

export function buildOpenApiDocument({ registry, operations, modules }: DocumentSources) {
  const parts = modules.flatMap((module) => (module.document ? [module.document] : []));
  const scopeSecurity = (scope: string) =>
    parts.flatMap((part) => (part.scopeSecurity ? [part.scopeSecurity(scope)] : []));
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    if (operation.undocumented) continue;
    (paths[operation.path] ??= {})[operation.method] = operationDocument(operation, scopeSecurity);
  }
  const resourceTags = new Set(registry.resources.map(schemaName));
  const tagTexts: Record<string, string> = Object.assign({}, ...parts.map((part) => part.tags ?? {}));
  const otherTags = [...new Set(operations.filter((o) => !o.undocumented).map((o) => o.tag))].filter(
    (tag) => !resourceTags.has(tag),
  );
  const document = {
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
      ...otherTags.map((name) => ({ name, description: tagTexts[name] ?? name })),
    ],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key (`fl_live_...`, `fl_test_...`), an OAuth access token (`flo_at_...`) ' +
            "or a person's session token.",
        },
        ...Object.assign({}, ...parts.map((part) => part.securitySchemes?.(registry) ?? {})),
      },
      schemas: componentSchemas(registry),
      parameters: { ...LIST_PARAMETERS, IdempotencyKey: IDEMPOTENCY_KEY_PARAMETER },
      responses: errorResponseComponents(),
    },
    'x-fieldline-events': registry.eventTypes(),
    'x-fieldline-scopes': registry.scopes(),
    ...Object.assign({}, ...parts.map((part) => part.extensions?.(registry) ?? {})),
  };
  withRequestExamples(document);
  return document;
}

/**
 * Gives every JSON request body the example the portal's code samples send (its required fields
 * and a few with examples), so that "Try it" in the reference starts from a request that passes
 * validation rather than one a viewer fills with empty strings.
 */
function withRequestExamples(document: { paths: Record<string, Record<string, any>> }): void {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const media = operation.requestBody?.content?.['application/json'];
      if (!media || media.example !== undefined) continue;
      const body = exampleRequest(document, method.toUpperCase(), path, operation).body;
      if (body?.kind === 'json') media.example = body.value;
    }
  }
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
