// Property-based fuzzing of every operation in the committed OpenAPI document (fast-check):
// requests built from each operation's schemas, mixed with hostile values, must never answer
// 5xx; every error is problem+json with a `code` and a `request_id` (OAuth endpoints answer
// RFC 6749 errors); every JSON success validates against its documented response schema.
// Seeded and bounded here (FUZZ_RUNS per operation, FUZZ_SEED); `npm run fuzz` runs longer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { Fixtures } from './support/fixtures.ts';
import { RequestArbitraries, type FuzzedRequest } from './support/fuzz-requests.ts';
import { startStripeFake, type StripeFake } from './support/stripe-fake.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 3);
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const DOCUMENT = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8'));
const DOCUMENT_ID = 'https://fieldline.test/openapi.json';
/** Endpoints whose errors follow OAuth 2.0 (RFC 6749 / 7009 / 7591), not problem details. */
const OAUTH = /^\/v1\/auth\/oauth2\//;

let ctx: TestContext;
let stripe: StripeFake;
let account: TestAccount;
let arbitraries: RequestArbitraries;
const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
addFormats.default(ajv);
ajv.addSchema(DOCUMENT, DOCUMENT_ID);
// `fields=a,b` answers only those (and `id`, `object`), as documented: checked with nothing required.
const PARTIAL_ID = 'https://fieldline.test/openapi-partial.json';
ajv.addSchema(withoutRequired(structuredClone(DOCUMENT)), PARTIAL_ID);

function withoutRequired(node: any): any {
  if (Array.isArray(node)) node.forEach(withoutRequired);
  else if (node && typeof node === 'object') {
    if (Array.isArray(node.required)) delete node.required;
    Object.values(node).forEach(withoutRequired);
  }
  return node;
}

before(async () => {
  stripe = await startStripeFake();
  ctx = await createTestContext({ stripe: stripe.api, webhooks: { allowPrivate: true } });
  account = await ctx.newAccount('Fuzzed', { plan: 'enterprise' });
  // A few real objects of each collection, so that ids and references also hit existing rows.
  const fixtures = new Fixtures(ctx, account);
  const ids = new Map<string, string[]>();
  for (const resource of ctx.registry.resources.filter((r) => r.operations.has('create'))) {
    const made = await fixtures.create(resource, 1).catch(() => null);
    if (made) ids.set(resource.collection, [made.id as string]);
  }
  arbitraries = new RequestArbitraries(DOCUMENT, ids);
});
after(async () => {
  await ctx.close();
  await stripe.close();
});

/** FUZZ_TRACE=<file>: each request is appended before it is sent (to find one that hangs). */
const TRACE = process.env.FUZZ_TRACE;

function send(method: string, request: FuzzedRequest) {
  if (TRACE) appendFileSync(TRACE, `${method} ${JSON.stringify(request).slice(0, 2000)}\n`);
  const query = new URLSearchParams(request.query).toString();
  const headers: Record<string, string> = request.body ? { 'content-type': request.body.contentType } : {};
  return ctx.call(method, `${request.path}${query ? `?${query}` : ''}`, {
    key: account.key,
    rawBody: request.body?.raw,
    headers,
  });
}

/** What is wrong with an answer, or null. */
function defect(
  path: string,
  method: string,
  operation: any,
  request: FuzzedRequest,
  response: Awaited<ReturnType<typeof send>>,
) {
  const type = response.headers.get('content-type') ?? '';
  if (response.status >= 500) return `${response.status} ${response.text.slice(0, 300)}`;
  if (response.status >= 400) {
    if (OAUTH.test(path) && typeof response.body?.error === 'string') return null;
    if (!type.startsWith('application/problem+json')) return `error as ${type}: ${response.text.slice(0, 200)}`;
    if (typeof response.body?.code !== 'string' || typeof response.body?.request_id !== 'string')
      return `problem without code or request_id: ${response.text.slice(0, 200)}`;
    return null;
  }
  const documented = operation.responses?.[String(response.status)];
  const schema = documented?.content?.['application/json']?.schema;
  if (!schema || !type.includes('json')) return null;
  const pointer = `#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/responses/${response.status}`;
  const document = 'fields' in request.query ? PARTIAL_ID : DOCUMENT_ID;
  const validate = ajv.getSchema(`${document}${pointer}/content/application~1json/schema`);
  if (!validate || validate(response.body)) return null;
  return `${response.status} body does not match its schema: ${ajv.errorsText(validate.errors).slice(0, 300)}`;
}

describe('fuzzing every operation of openapi.json', () => {
  const operations = Object.entries<any>(DOCUMENT.paths).flatMap(([path, item]) =>
    Object.entries<any>(item)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      // A stream that opens stays open: it is fuzzed up to its opening by its own suite.
      .filter(([, operation]) => !operation.responses?.['200']?.content?.['text/event-stream'])
      .map(([method, operation]) => ({ path, method, operation, item })),
  );

  test(`${RUNS} requests per operation: no 5xx, problem details, successes as documented`, async () => {
    const found: string[] = [];
    const answered = new Map<string, number>();
    for (const { path, method, operation, item } of operations) {
      await fc.assert(
        fc.asyncProperty(arbitraries.request(path, operation, item), async (request) => {
          const response = await send(method.toUpperCase(), request).catch((error: Error) => error);
          const kind = response instanceof Error ? 'threw' : `${String(response.status)[0]}xx`;
          answered.set(kind, (answered.get(kind) ?? 0) + 1);
          const problem =
            response instanceof Error
              ? `threw ${response.message}`
              : defect(path, method, operation, request, response);
          if (problem) found.push(`${method.toUpperCase()} ${path}: ${problem}\n  ${JSON.stringify(request)}`);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    }
    const tally = [...answered].map(([kind, count]) => `${kind} ${count}`).join(', ');
    console.log(`fuzzed ${operations.length} operations × ${RUNS} (seed ${SEED}): ${tally}; ${found.length} defects`);
    assert.deepEqual(found.slice(0, 25), []);
  });
});
