// The OpenAPI document and the docs site: a valid OpenAPI 3.1 document that describes every
// route of the route table (scope, security, problem-details errors), served at /openapi.json,
// with an interactive reference at /docs that loads nothing from a CDN.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { ERROR_CATALOGUE } from '../src/platform/errors.ts';
import { roleScopes } from '../src/auth/roles.ts';
import { USER_ROLES } from '../src/auth/roles.ts';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** The codes the conventions promise, with their statuses. */
const DOCUMENTED_CODES: Record<string, number> = {
  bad_request: 400,
  invalid_signature: 400,
  unauthenticated: 401,
  payment_required: 402,
  forbidden: 403,
  insufficient_scope: 403,
  account_suspended: 403,
  feature_not_in_plan: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  invalid_state_transition: 409,
  payments_not_configured: 409,
  llm_provider_missing: 409,
  plan_limits_exceeded: 409,
  idempotency_key_reused: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  request_header_fields_too_large: 431,
  validation_failed: 422,
  rate_limited: 429,
  quota_exceeded: 429,
  internal_error: 500,
  llm_provider_error: 502,
  database_unavailable: 503,
  service_unavailable: 503,
  llm_provider_timeout: 504,
};

let ctx: TestContext;
let doc: Record<string, any>;

before(async () => {
  ctx = await createTestContext();
  doc = ctx.openapi;
});

after(async () => {
  await ctx?.close();
});

/** Follows a local `$ref` (`#/components/...`) to what it points at. */
function deref(node: any): any {
  let current = node;
  for (let hops = 0; current && typeof current.$ref === 'string'; hops++) {
    assert.ok(hops < 10, 'no $ref cycle');
    assert.match(current.$ref, /^#\//, `only local refs: ${current.$ref}`);
    current = current.$ref
      .slice(2)
      .split('/')
      .map((part: string) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((parent: any, key: string) => parent?.[key], doc);
    assert.ok(current !== undefined, `the $ref ${node.$ref} resolves`);
  }
  return current;
}

/** The operations the platform generates from declarations (list, get, create, ..., actions). */
const generated = () => ctx.api.operations.filter((operation) => operation.kind !== 'custom');

function operations(): { path: string; method: string; operation: any }[] {
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, operation]) => ({ path, method, operation })),
  );
}

describe('the OpenAPI document', () => {
  test('is a valid OpenAPI 3.1.0 document (swagger-parser)', async () => {
    assert.equal(doc.openapi, '3.1.0');
    const validated = await SwaggerParser.validate(structuredClone(doc) as any);
    assert.equal((validated as any).openapi, '3.1.0');
    assert.ok(doc.info.title);
    assert.ok(doc.info.version);
  });

  test('is plain JSON: serialising it loses nothing', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
  });

  test('declares bearer authentication and requires it by default', () => {
    const scheme = doc.components.securitySchemes.bearerAuth;
    assert.equal(scheme.type, 'http');
    assert.equal(scheme.scheme, 'bearer');
    assert.deepEqual(doc.security, [{ bearerAuth: [] }]);
  });

  test('every route of the route table is documented, with its operationId, summary, security and scope', () => {
    assert.ok(generated().length > 0);
    for (const route of generated()) {
      const where = `${route.method.toUpperCase()} ${route.path}`;
      const operation = doc.paths[route.path]?.[route.method];
      assert.ok(operation, `${where} is in the document`);
      assert.equal(operation.operationId, route.operationId, `${where} operationId`);
      assert.equal(typeof operation.summary, 'string', `${where} summary`);
      assert.ok(operation.summary.trim().length > 0, `${where} summary is not empty`);
      assert.ok(Array.isArray(operation.security) && operation.security.length > 0, `${where} declares security`);
      for (const requirement of operation.security) {
        for (const name of Object.keys(requirement))
          assert.ok(doc.components.securitySchemes[name], `${where}: security scheme ${name} exists`);
      }
      assert.equal(operation['x-fieldline-scope'], route.scope, `${where} x-fieldline-scope`);
      assert.ok(operation.description?.includes(route.scope), `${where}: the description tells people the scope`);
      assert.ok(
        operation.responses[String(route.response.status)],
        `${where} documents its success status ${route.response.status}`,
      );
    }
  });

  test('the committed openapi.json is the document the code produces (after an API change: npm run openapi)', () => {
    // SDKs and other derived surfaces are generated from the committed file, so it must not drift.
    const committed = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8'));
    assert.deepEqual(committed, JSON.parse(JSON.stringify(doc)));
  });

  test('documents nothing the server does not serve', () => {
    const all = ctx.api.operations.filter((operation) => !operation.undocumented);
    const served = new Set(all.map((r) => `${r.method} ${r.path}`));
    for (const { path, method } of operations())
      assert.ok(served.has(`${method} ${path}`), `${method.toUpperCase()} ${path} is a real route`);
    assert.equal(operations().length, all.length);
  });

  test('operationIds are unique', () => {
    const ids = operations().map(({ operation }) => operation.operationId);
    assert.ok(ids.every((id) => typeof id === 'string' && id.length > 0));
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    assert.deepEqual(duplicates, []);
  });

  test('every route documents the error statuses it can answer, each as problem details', () => {
    const problem = deref({ $ref: '#/components/schemas/Problem' });
    for (const route of generated()) {
      const where = `${route.method.toUpperCase()} ${route.path}`;
      const responses = doc.paths[route.path][route.method].responses;
      const expected = new Set([401, 403, 500, 503]);
      if (route.path.includes('{id}')) expected.add(404);
      if (route.body) for (const status of [400, 413, 415, 422]) expected.add(status);
      if (route.kind === 'list' || route.kind === 'export' || route.kind === 'get') expected.add(400);
      for (const status of expected) assert.ok(responses[String(status)], `${where} documents ${status}`);

      for (const [status, response] of Object.entries<any>(responses)) {
        if (Number(status) < 400) continue;
        const resolved = deref(response);
        assert.ok(resolved.description, `${where} ${status} has a description`);
        const content = resolved.content?.['application/problem+json'];
        assert.ok(content, `${where} ${status} is application/problem+json`);
        assert.equal(deref(content.schema), problem, `${where} ${status} uses the Problem schema`);
      }
    }
  });

  test('the Problem schema is RFC 9457 plus code and request_id, and lists every documented code', () => {
    const problem = doc.components.schemas.Problem;
    for (const member of ['type', 'title', 'status', 'code', 'detail', 'request_id']) {
      assert.ok(problem.required.includes(member), `${member} is required`);
      assert.ok(problem.properties[member], `${member} is described`);
    }
    assert.ok(problem.properties.errors, 'field errors are described');
    assert.deepEqual(new Set(problem.properties.code.enum), new Set(Object.keys(DOCUMENTED_CODES)));
    for (const [code, status] of Object.entries(DOCUMENTED_CODES)) {
      assert.equal(ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE]?.status, status, `${code} is ${status}`);
    }
  });

  test('the scopes it names are the scopes a key can hold', () => {
    const scopes = new Set(doc['x-fieldline-scopes']);
    assert.deepEqual(scopes, new Set(ctx.registry.scopes()));
    for (const operation of ctx.api.operations) {
      // Operators' scopes (`platform:...`) are no key's: they must never be listed as a key's.
      if (operation.authentication === 'operator') assert.ok(!scopes.has(operation.scope!), `${operation.scope}`);
      else assert.ok(operation.scope === null || scopes.has(operation.scope), `${operation.scope} is listed`);
    }
  });

  test('it publishes every member role with its meaning and the scopes a member of it holds', () => {
    const roles = doc['x-fieldline-roles'];
    assert.deepEqual(
      roles.map((r: any) => r.role),
      [...USER_ROLES],
    );
    for (const { role, description, scopes } of roles) {
      assert.ok(description.length > 10, `${role} says what it may do`);
      assert.deepEqual(scopes, roleScopes(ctx.registry, role), `${role}'s scopes are the ones it is given`);
    }
  });

  test('item paths declare their id parameter', () => {
    for (const route of generated().filter((r) => r.path.includes('{id}'))) {
      const parameters = doc.paths[route.path][route.method].parameters.map(deref);
      const id = parameters.find((p: any) => p.name === 'id' && p.in === 'path');
      assert.ok(id, `${route.method.toUpperCase()} ${route.path} has an id path parameter`);
      assert.equal(id.required, true);
    }
  });
});

describe('serving the document and the docs', () => {
  test('GET /openapi.json returns the same document, without a key', async () => {
    const res = await ctx.call('GET', '/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(res.body, JSON.parse(JSON.stringify(doc)));
  });

  test('GET /docs is an HTML page that loads the reference from this server, not a CDN', async () => {
    const res = await ctx.call('GET', '/docs');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const html = res.text;
    assert.match(html, /<script[^>]+src="\/docs\/scalar\.js"/);
    assert.match(html, /\/openapi\.json/);
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//i, 'no script or stylesheet from another origin');
    assert.doesNotMatch(html, /cdn/i);
  });

  test('GET /docs/scalar.js is the reference script, served as JavaScript', async () => {
    const res = await ctx.app.request('/docs/scalar.js');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
    const script = await res.text();
    assert.ok(script.length > 100_000, `a real bundle (${script.length} characters)`);
    assert.doesNotMatch(script.slice(0, 200), /^\s*</, 'not an HTML error page');
  });

  test('GET /v1 describes the API and links to the docs, without a key', async () => {
    const res = await ctx.call('GET', '/v1');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(res.body.data.object, 'api');
    assert.equal(res.body.data.version, doc.info.version);
    assert.equal(res.body.data.links.openapi, '/openapi.json');
    assert.equal(res.body.data.links.docs, '/docs');
  });

  test('GET /v1/health answers 200 without a key', async () => {
    const res = await ctx.call('GET', '/v1/health');
    assert.equal(res.status, 200);
    assert.equal(res.body.data.status, 'ok');
    assert.equal(res.body.data.database.status, 'ok');
    assert.equal(res.body.data.database.engine, ctx.db.kind);
  });

  test('these public pages carry a request id too', async () => {
    for (const path of ['/openapi.json', '/docs', '/v1', '/v1/health']) {
      const res = await ctx.call('GET', path);
      assert.match(res.headers.get('x-request-id') ?? '', /^req_/, path);
    }
  });
});
