// Every JSON request body's example in the OpenAPI document is a request that passes validation:
// it is what "Try it" in the reference starts from and what the portal's code samples send. Each
// example is sent as written, with its placeholder ids (`cus_123`) swapped for real objects' and
// its URLs for a closed local port.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { Fixtures } from './support/fixtures.ts';
import type { ResourceDefinition } from '../src/platform/contract.ts';
import { startStripeFake, type StripeFake } from './support/stripe-fake.ts';

const PLACEHOLDER_ID = /^([a-z]+)_123$/;

/** Examples a server answers 422 only because they cannot know a secret sent elsewhere: the field. */
const SECRETS_SENT_ELSEWHERE: Record<string, string> = {
  'POST /v1/customer/auth/verify': 'code', // mailed to the customer
  'POST /v1/auth/password-reset/confirm': 'token', // mailed to the person
};

let ctx: TestContext;
let stripe: StripeFake;
before(async () => {
  stripe = await startStripeFake();
  ctx = await createTestContext({ stripe: stripe.api, webhooks: { allowPrivate: true } });
  stripe.addAccount('sk_test_51ExampleSecretKey'); // the key in POST /v1/account/stripe's example
});
after(async () => {
  await ctx.close();
  await stripe.close();
});

/** The top-level fields of an example that hold placeholder ids (`technician_id: "usr_123"`). */
function placeholderFields(example: unknown): Set<string> {
  const holds = (value: unknown): boolean =>
    typeof value === 'string' ? PLACEHOLDER_ID.test(value) : Array.isArray(value) && value.some(holds);
  return new Set(Object.entries(example ?? {}).flatMap(([key, value]) => (holds(value) ? [key] : [])));
}

/**
 * Whether a response to an example shows a defect of the example. A 422 only at a secret sent
 * elsewhere, or only at ids (placeholders: the object a test puts there may be in another state,
 * a member who is not a technician), is not one.
 */
function refusal(method: string, path: string, example: unknown, response: { status: number; body: any }): boolean {
  if (response.status === 422) {
    const excused = placeholderFields(example);
    const secret = SECRETS_SENT_ELSEWHERE[`${method} ${path}`];
    if (secret) excused.add(secret);
    const at = (response.body.errors ?? []).map((error: { path: string }) => error.path.split('.')[0]);
    if (at.length && at.every((field: string) => excused.has(field))) return false;
  }
  return response.status === 400 || response.status === 422 || response.status >= 500;
}

interface Example {
  method: string;
  path: string;
  body: unknown;
}

function examples(document: Record<string, any>): Example[] {
  return Object.entries<Record<string, any>>(document.paths).flatMap(([path, item]) =>
    Object.entries<any>(item).flatMap(([method, operation]) => {
      const body = operation.requestBody?.content?.['application/json']?.example;
      return body === undefined ? [] : [{ method: method.toUpperCase(), path, body }];
    }),
  );
}

/** The resource a path is about (`/v1/jobs/{id}/complete` -> jobs), if it is a resource's. */
function resourceOf(path: string): ResourceDefinition | undefined {
  const collection = /^\/v1\/([a-z-]+)/.exec(path)?.[1];
  return ctx.registry.resources.find((resource) => resource.collection === collection);
}

/** Real ids in place of the example's placeholders: the fixture's own for its fields, else a parent's. */
async function withRealIds(value: unknown, fixtures: Fixtures, valid: Record<string, unknown>): Promise<unknown> {
  // Tests never dial out: an example URL becomes a closed local port (deliveries fail at once).
  if (typeof value === 'string' && /^https?:\/\//.test(value)) return `http://127.0.0.1:9${new URL(value).pathname}`;
  if (typeof value === 'string') {
    const prefix = PLACEHOLDER_ID.exec(value)?.[1];
    const collection = ctx.registry.resources.find((resource) => resource.idPrefix === prefix)?.collection;
    return collection ? fixtures.parent(collection) : value;
  }
  if (!value || typeof value !== 'object') return value;
  if (Array.isArray(value)) return Promise.all(value.map((item) => withRealIds(item, fixtures, {})));
  const entries: [string, unknown][] = [];
  for (const [key, item] of Object.entries(value))
    entries.push([key, typeof item === 'string' && key in valid ? valid[key] : await withRealIds(item, fixtures, {})]);
  return Object.fromEntries(entries);
}

describe('request body examples', () => {
  let account: TestAccount;
  let fixtures: Fixtures;
  before(async () => {
    account = await ctx.newAccount();
    fixtures = new Fixtures(ctx, account);
  });

  test('every create example makes an object as written', async () => {
    const creates = examples(ctx.openapi).filter(
      ({ method, path }) => method === 'POST' && resourceOf(path) && path === `/v1/${resourceOf(path)!.collection}`,
    );
    assert.ok(creates.length > 30, `${creates.length} create examples`);
    const refused: string[] = [];
    for (const { path, body } of creates) {
      const resource = resourceOf(path)!;
      // Placeholder references take the ids a valid fixture body gives them (parents in the right state).
      const valid = await fixtures.body(resource, 1);
      const refs = Object.fromEntries(Object.entries(valid).filter(([name]) => resource.fields[name]?.ref));
      const sent = await withRealIds(body, fixtures, refs);
      const response = await ctx.call('POST', path, { key: account.key, body: sent });
      // 403: an example for a member's session sent with an API key (a push subscription's user).
      if (response.status >= 300 && response.status !== 403)
        refused.push(`POST ${path} ${JSON.stringify(sent)}: ${response.status} ${response.text}`);
    }
    assert.deepEqual(refused, []);
  });

  test('every other example passes validation: never a 400 or 422, never a 5xx', async () => {
    // A provider's signed request (a Stripe webhook) cannot be made from an example: its own suite signs it.
    const signed = new Set(
      ctx.api.operations
        .filter((operation) => operation.authentication === 'signature')
        .map((operation) => `${operation.method.toUpperCase()} ${operation.path}`),
    );
    const others = examples(ctx.openapi).filter(
      ({ method, path }) =>
        !(method === 'POST' && path === `/v1/${resourceOf(path)?.collection}`) && !signed.has(`${method} ${path}`),
    );
    const refused: string[] = [];
    for (const { method, path, body } of others) {
      const resource = resourceOf(path);
      let concrete = path;
      if (resource?.operations.has('create') && path.includes('{id}'))
        concrete = path.replace('{id}', (await fixtures.create(resource, 2)).id as string);
      // A path naming objects fixtures do not make (uploads, other objects' children): its own suites cover it.
      if (concrete.includes('{')) continue;
      const sent = await withRealIds(body, fixtures, {});
      const response = await ctx.call(method, concrete, { key: account.key, body: sent });
      if (refusal(method, path, body, response))
        refused.push(`${method} ${path} ${JSON.stringify(sent)}: ${response.status} ${response.text}`);
    }
    assert.deepEqual(refused, []);
  });
});
