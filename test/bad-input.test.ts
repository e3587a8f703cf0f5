// Bad input, category by category: every malformed, unauthorised or impossible request gets
// the documented RFC 9457 problem (application/problem+json with type, title, status, code,
// detail and the request id of the X-Request-Id header) and changes nothing: after each one,
// the account's event count and the target collection's count are what they were before.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type CallOptions, type CallResult, type TestContext } from './support/test-context.ts';
import type { ResourceDefinition } from '../src/platform/resource/define-resource.ts';
import type { FieldSpec } from '../src/platform/resource/fields.ts';
import { queryableFields } from '../src/platform/query/queryable-fields.ts';
import { createApp } from '../src/http/app.ts';
import { pino } from 'pino';
import type { Hono } from 'hono';

const MiB = 1024 * 1024;
/** A well-formed id body (26 Crockford base32 characters) that no object has. */
const UNUSED_ULID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

let ctx: TestContext;
let owner: { id: string; key: string };
/** One live object per collection that has `create`, made from `validCreateBody`. */
const existing: Record<string, string> = {};
let uniqueCounter = 0;

// ---------------------------------------------------------------------------------------
// Helpers

/** The documented problem-details shape, with the request id echoed in the header. */
function assertProblem(res: CallResult, status: number, code: string): any {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json\b/);
  const body = res.body;
  assert.equal(typeof body, 'object', 'the body is a JSON object');
  assert.equal(body.type, `https://fieldline.dev/errors/${code}`);
  assert.equal(typeof body.title, 'string');
  assert.ok(body.title.length > 0, 'title is not empty');
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  assert.equal(typeof body.detail, 'string');
  assert.ok(body.detail.length > 0, 'detail is not empty');
  assert.equal(typeof body.request_id, 'string');
  assert.ok(body.request_id.length > 0, 'request_id is not empty');
  assert.equal(body.request_id, res.headers.get('x-request-id'), 'request_id is the X-Request-Id header');
  return body;
}

/** The error list names `path` (exactly), and so does the detail. */
function assertNames(body: any, path: string): void {
  assert.ok(Array.isArray(body.errors), `errors[] is present: ${JSON.stringify(body)}`);
  assert.ok(body.errors.some((e: any) => e.path === path), `errors[].path names '${path}': ${JSON.stringify(body.errors)}`);
  for (const e of body.errors) assert.equal(typeof e.message, 'string');
  assert.ok(body.detail.includes(path), `detail names '${path}': ${body.detail}`);
}

async function total(path: string): Promise<number> {
  const res = await ctx.call('GET', `${path}?count=true&limit=1`, { key: owner.key });
  assert.equal(res.status, 200, res.text);
  return res.body.page.total;
}

interface Expectation {
  status: number;
  code: string;
  /** The collection whose list total must not move (default customers). */
  target?: string;
  /** An object that must read the same afterwards (`/v1/{collection}/{id}`). */
  object?: string;
}

/** Sends a request that must be refused; proves it was refused and that nothing changed. */
async function rejects(method: string, path: string, options: CallOptions, expected: Expectation): Promise<any> {
  const target = `/v1/${expected.target ?? 'customers'}`;
  const before = { events: await total('/v1/events'), list: await total(target) };
  const objectBefore = expected.object ? (await ctx.call('GET', expected.object, { key: owner.key })).body : undefined;
  const res = await ctx.call(method, path, { key: owner.key, ...options });
  const body = assertProblem(res, expected.status, expected.code);
  if (!options.headers?.['x-request-id']) assert.match(body.request_id, /^req_[0-9A-Z]{26}$/);
  const afterwards = { events: await total('/v1/events'), list: await total(target) };
  assert.deepEqual(afterwards, before, `${method} ${path} changed nothing (events and ${target} totals)`);
  if (expected.object) assert.deepEqual((await ctx.call('GET', expected.object, { key: owner.key })).body, objectBefore, `${expected.object} is unchanged`);
  return Object.assign(body, { headers: res.headers });
}

const withoutKey = { key: undefined } as const;
const json = (rawBody: string, extra: Record<string, string> = {}): CallOptions => ({ rawBody, headers: { 'content-type': 'application/json', ...extra } });

const creatable = () => ctx.registry.resources.filter((r) => r.operations.has('create'));
const updatable = () => ctx.registry.resources.filter((r) => r.operations.has('update') && r.operations.has('create'));
const listable = () => ctx.registry.resources.filter((r) => r.operations.has('list'));

/** A value the field's own schema accepts, for building a body that is valid but for one thing. */
function sampleValue(spec: FieldSpec): unknown {
  if (spec.ref) {
    const id = existing[spec.ref.collection];
    assert.ok(id, `an existing ${spec.ref.collection} object to refer to`);
    return id;
  }
  const n = ++uniqueCounter;
  const candidates: unknown[] = [
    ...(spec.unique ? [`sample${n}.${Date.now()}@example.com`] : []),
    spec.example, spec.defaultValue, spec.enumValues?.[0], `Sample ${n}`, 1000, true, '2026-01-15', '2026-01-15T09:30:00Z', 'USD', [],
  ].filter((v) => v !== undefined);
  const value = candidates.find((candidate) => spec.schema.safeParse(candidate).success);
  assert.ok(value !== undefined, `no sample value for a ${spec.kind} field`);
  return value;
}

/** The smallest body the resource's create accepts: its required fields. */
function validCreateBody(resource: ResourceDefinition): Record<string, unknown> {
  return Object.fromEntries(Object.entries(resource.fields)
    .filter(([, spec]) => spec.required && spec.access !== 'readOnly')
    .map(([name, spec]) => [name, sampleValue(spec)]));
}

/** Creates one object per creatable collection, referenced collections first. */
async function ensureExisting(resource: ResourceDefinition): Promise<string> {
  if (existing[resource.collection]) return existing[resource.collection];
  for (const spec of Object.values(resource.fields)) {
    if (spec.ref && spec.required && spec.ref.collection !== resource.collection) await ensureExisting(ctx.registry.get(spec.ref.collection));
  }
  const res = await ctx.call('POST', `/v1/${resource.collection}`, { key: owner.key, body: validCreateBody(resource) });
  assert.equal(res.status, 201, `the baseline body for ${resource.collection} is valid: ${res.text}`);
  existing[resource.collection] = res.body.data.id;
  return res.body.data.id;
}

const itemPath = (collection: string) => `/v1/${collection}/${existing[collection]}`;

before(async () => {
  ctx = await createTestContext();
  owner = await ctx.newAccount('Bad Input Co');
  for (const resource of creatable()) await ensureExisting(resource);
  // A second customer so lists have more than one page at limit=1.
  await ctx.call('POST', '/v1/customers', { key: owner.key, body: { name: 'Second Customer' } });
});

after(async () => {
  await ctx?.close();
});

// ---------------------------------------------------------------------------------------

describe('request bodies that are not a JSON object', () => {
  test('malformed JSON is 400 bad_request', async () => {
    for (const raw of ['{"name": ', '{name: "Acme"}', '{"name": "Acme"} trailing', "{'name': 'Acme'}", '{"name": "Acme",}', 'NaN']) {
      const body = await rejects('POST', '/v1/customers', json(raw), { status: 400, code: 'bad_request' });
      assert.match(body.detail, /JSON/);
    }
  });

  test('malformed JSON on PATCH and on an action is 400 too', async () => {
    await rejects('PATCH', itemPath('customers'), json('{"name":'), { status: 400, code: 'bad_request', object: itemPath('customers') });
    await rejects('POST', `${itemPath('jobs')}/cancel`, json('{"reason":'), { status: 400, code: 'bad_request', target: 'jobs', object: itemPath('jobs') });
  });

  test('a body in another content type is 415 unsupported_media_type', async () => {
    for (const contentType of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'application/xml', 'application/jsonp']) {
      const body = await rejects('POST', '/v1/customers', { rawBody: '{"name":"Acme"}', headers: { 'content-type': contentType } }, { status: 415, code: 'unsupported_media_type' });
      assert.match(body.detail, /application\/json/);
    }
  });

  test('a body with no content type at all is 415', async () => {
    // A Uint8Array body gets no default Content-Type (a string would become text/plain).
    await rejects('POST', '/v1/customers', { rawBody: new TextEncoder().encode('{"name":"Acme"}') }, { status: 415, code: 'unsupported_media_type' });
  });

  test('415 also on PATCH', async () => {
    await rejects('PATCH', itemPath('customers'), { rawBody: '{"name":"Renamed"}', headers: { 'content-type': 'text/plain' } },
      { status: 415, code: 'unsupported_media_type', object: itemPath('customers') });
  });

  test('JSON with a +json suffix and a charset is accepted (control)', async () => {
    const res = await ctx.call('POST', '/v1/customers', { key: owner.key, rawBody: '{"name":"Suffix Co"}', headers: { 'content-type': 'application/vnd.api+json; charset=utf-8' } });
    assert.equal(res.status, 201, res.text);
  });

  test('an empty body on create is 400 bad_request', async () => {
    await rejects('POST', '/v1/customers', json(''), { status: 400, code: 'bad_request' });
    await rejects('POST', '/v1/customers', json('   \n'), { status: 400, code: 'bad_request' });
    await rejects('POST', '/v1/customers', {}, { status: 400, code: 'bad_request' });
  });

  test('an empty body on PATCH is 400 bad_request', async () => {
    await rejects('PATCH', itemPath('customers'), json(''), { status: 400, code: 'bad_request', object: itemPath('customers') });
  });

  test('a JSON array, string, number or null is 422 validation_failed', async () => {
    for (const raw of ['[]', '[{"name":"Acme"}]', '"Acme"', '42', 'null', 'true']) {
      await rejects('POST', '/v1/customers', json(raw), { status: 422, code: 'validation_failed' });
      await rejects('PATCH', itemPath('customers'), json(raw), { status: 422, code: 'validation_failed', object: itemPath('customers') });
    }
  });

  test('an action given a JSON array is 422', async () => {
    await rejects('POST', `${itemPath('jobs')}/cancel`, json('[]'), { status: 422, code: 'validation_failed', target: 'jobs', object: itemPath('jobs') });
  });
});

describe('oversized bodies', () => {
  const bigBody = (bytes: number) => JSON.stringify({ name: 'Big Co', notes: 'x'.repeat(bytes) });

  test('a body over the default 1 MiB is 413 payload_too_large', async () => {
    const raw = bigBody(MiB + 10);
    assert.ok(Buffer.byteLength(raw) > MiB);
    await rejects('POST', '/v1/customers', json(raw), { status: 413, code: 'payload_too_large' });
  });

  test('413 also when the client declares the size in Content-Length', async () => {
    const raw = bigBody(MiB + 10);
    await rejects('POST', '/v1/customers', json(raw, { 'content-length': String(Buffer.byteLength(raw)) }), { status: 413, code: 'payload_too_large' });
  });

  test('413 for a chunked body with no Content-Length (streamed)', async () => {
    const bytes = new TextEncoder().encode(bigBody(MiB + 10));
    const stream = () => new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024));
        controller.close();
      },
    });
    const before = { events: await total('/v1/events'), list: await total('/v1/customers') };
    const res = await ctx.app.request('/v1/customers', {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.key}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: stream(),
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.headers.get('content-length'), null);
    const text = await res.text();
    assertProblem({ status: res.status, headers: res.headers, body: JSON.parse(text), text }, 413, 'payload_too_large');
    assert.deepEqual({ events: await total('/v1/events'), list: await total('/v1/customers') }, before);
  });

  test('413 on PATCH and on actions too', async () => {
    await rejects('PATCH', itemPath('customers'), json(bigBody(MiB + 10)), { status: 413, code: 'payload_too_large', object: itemPath('customers') });
    await rejects('POST', `${itemPath('jobs')}/cancel`, json(JSON.stringify({ reason: 'x'.repeat(MiB + 10) })), { status: 413, code: 'payload_too_large', target: 'jobs', object: itemPath('jobs') });
  });

  describe('with a configured limit (maxBodyBytes 2000)', () => {
    // A second app over the same database, configured as createTestContext({ maxBodyBytes }) would.
    let small: Hono;
    let account: { id: string; key: string };
    before(async () => {
      small = createApp({ db: ctx.db, registry: ctx.registry, logger: pino({ level: 'silent' }), maxBodyBytes: 2000 }).app;
      account = await ctx.newAccount('Small Limit Co');
    });

    const post = async (path: string, raw: string): Promise<CallResult> => {
      const res = await small.request(path, { method: 'POST', headers: { authorization: `Bearer ${account.key}`, 'content-type': 'application/json' }, body: raw });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : text };
    };
    const count = async (path: string) => (await ctx.call('GET', `${path}?count=true`, { key: account.key })).body.page.total;
    const bodyOfExactly = (bytes: number) => {
      const skeleton = JSON.stringify({ name: 'Edge Co', notes: '' });
      return JSON.stringify({ name: 'Edge Co', notes: 'n'.repeat(bytes - skeleton.length) });
    };

    test('a body of exactly the limit is accepted', async () => {
      const raw = bodyOfExactly(2000);
      assert.equal(Buffer.byteLength(raw), 2000);
      const res = await post('/v1/customers', raw);
      assert.equal(res.status, 201, res.text);
    });

    test('one byte over the limit is 413, names the limit, and creates nothing', async () => {
      const before = [await count('/v1/events'), await count('/v1/customers')];
      const body = assertProblem(await post('/v1/customers', bodyOfExactly(2001)), 413, 'payload_too_large');
      assert.match(body.detail, /2000/);
      assert.deepEqual([await count('/v1/events'), await count('/v1/customers')], before);
    });
  });
});

describe('fields a client may not write', () => {
  test('an unknown field is 422 naming the field, on every create', async () => {
    for (const resource of creatable()) {
      const body = await rejects('POST', `/v1/${resource.collection}`, { body: { ...validCreateBody(resource), favourite_colour: 'teal' } },
        { status: 422, code: 'validation_failed', target: resource.collection });
      assertNames(body, 'favourite_colour');
    }
  });

  test('an unknown field is 422 naming the field, on every update', async () => {
    for (const resource of updatable()) {
      const body = await rejects('PATCH', itemPath(resource.collection), { body: { favourite_colour: 'teal' } },
        { status: 422, code: 'validation_failed', target: resource.collection, object: itemPath(resource.collection) });
      assertNames(body, 'favourite_colour');
    }
  });

  test('an unknown key inside a structured field is 422 (address)', async () => {
    const body = await rejects('POST', '/v1/customers', { body: { name: 'Nested Co', address: { city: 'Leeds', planet: 'Earth' } } }, { status: 422, code: 'validation_failed' });
    assertNames(body, 'address.planet');
  });

  test('server-owned fields (id, object, account_id, created_at, updated_at) are 422 on every create and update', async () => {
    const values: Record<string, unknown> = {
      id: `cus_${UNUSED_ULID}`, object: 'customer', account_id: owner.id, created_at: '2020-01-01T00:00:00Z', updated_at: '2020-01-01T00:00:00Z',
    };
    for (const [name, value] of Object.entries(values)) {
      for (const resource of creatable()) {
        const body = await rejects('POST', `/v1/${resource.collection}`, { body: { ...validCreateBody(resource), [name]: value } },
          { status: 422, code: 'validation_failed', target: resource.collection });
        assertNames(body, name);
      }
      for (const resource of updatable()) {
        const body = await rejects('PATCH', itemPath(resource.collection), { body: { [name]: value } },
          { status: 422, code: 'validation_failed', target: resource.collection, object: itemPath(resource.collection) });
        assertNames(body, name);
      }
    }
  });

  test('read-only declared fields are 422 on every create and update', async () => {
    for (const resource of creatable()) {
      for (const [name, spec] of Object.entries(resource.fields)) {
        if (spec.access !== 'readOnly') continue;
        const value = spec.enumValues?.at(-1) ?? (spec.kind === 'money' ? 1 : 'x');
        const body = await rejects('POST', `/v1/${resource.collection}`, { body: { ...validCreateBody(resource), [name]: value } },
          { status: 422, code: 'validation_failed', target: resource.collection });
        assertNames(body, name);
        if (resource.operations.has('update')) {
          const patched = await rejects('PATCH', itemPath(resource.collection), { body: { [name]: value } },
            { status: 422, code: 'validation_failed', target: resource.collection, object: itemPath(resource.collection) });
          assertNames(patched, name);
        }
      }
    }
  });

  test('jobs.status changes only through actions: writing it is 422 and says so', async () => {
    const created = await rejects('POST', '/v1/jobs', { body: { ...validCreateBody(ctx.registry.get('jobs')), status: 'completed' } }, { status: 422, code: 'validation_failed', target: 'jobs' });
    assertNames(created, 'status');
    assert.match(created.errors.find((e: any) => e.path === 'status').message, /action/);
    const patched = await rejects('PATCH', itemPath('jobs'), { body: { status: 'completed' } }, { status: 422, code: 'validation_failed', target: 'jobs', object: itemPath('jobs') });
    assertNames(patched, 'status');
    assert.match(patched.errors.find((e: any) => e.path === 'status').message, /action/);
  });

  test('a create-only field cannot be changed by PATCH (invoices.customer_id)', async () => {
    const body = await rejects('PATCH', itemPath('invoices'), { body: { customer_id: existing.customers } },
      { status: 422, code: 'validation_failed', target: 'invoices', object: itemPath('invoices') });
    assertNames(body, 'customer_id');
  });
});

describe('invalid values', () => {
  const cases: { name: string; collection: string; body: () => Record<string, unknown>; path: string }[] = [
    { name: 'a bad email', collection: 'customers', body: () => ({ name: 'Acme', email: 'not-an-email' }), path: 'email' },
    { name: 'a bad phone', collection: 'customers', body: () => ({ name: 'Acme', phone: 'call me' }), path: 'phone' },
    { name: 'a wrong enum value', collection: 'customers', body: () => ({ name: 'Acme', status: 'vip' }), path: 'status' },
    { name: 'a wrong type', collection: 'customers', body: () => ({ name: 42 }), path: 'name' },
    { name: 'an empty required string', collection: 'customers', body: () => ({ name: '' }), path: 'name' },
    { name: 'a missing required field', collection: 'customers', body: () => ({ company: 'No Name Ltd' }), path: 'name' },
    { name: 'a bad nested value', collection: 'customers', body: () => ({ name: 'Acme', address: { country: 'United Kingdom' } }), path: 'address.country' },
    { name: 'tags that are not strings', collection: 'customers', body: () => ({ name: 'Acme', tags: [1] }), path: 'tags.0' },
    { name: 'negative money', collection: 'payments', body: () => ({ amount: -500, method: 'cash' }), path: 'amount' },
    { name: 'zero money where at least 1 is required', collection: 'payments', body: () => ({ amount: 0, method: 'cash' }), path: 'amount' },
    { name: 'fractional money', collection: 'payments', body: () => ({ amount: 12.5, method: 'cash' }), path: 'amount' },
    { name: 'money as a string', collection: 'payments', body: () => ({ amount: '1250', method: 'cash' }), path: 'amount' },
    { name: 'money beyond the safe integer range', collection: 'payments', body: () => ({ amount: 2 ** 60, method: 'cash' }), path: 'amount' },
    { name: 'a wrong payment method', collection: 'payments', body: () => ({ amount: 500, method: 'bitcoin' }), path: 'method' },
    { name: 'a bad currency', collection: 'payments', body: () => ({ amount: 500, method: 'cash', currency: 'dollars' }), path: 'currency' },
    { name: 'a negative line-item amount', collection: 'invoices', body: () => ({ customer_id: existing.customers, line_items: [{ description: 'Labour', quantity: 1, unit_amount: -1 }] }), path: 'line_items.0.unit_amount' },
    { name: 'a tax rate above 100 %', collection: 'invoices', body: () => ({ customer_id: existing.customers, tax_rate_bps: 10_001 }), path: 'tax_rate_bps' },
    { name: 'an impossible date', collection: 'invoices', body: () => ({ customer_id: existing.customers, due_date: '2026-02-30' }), path: 'due_date' },
    { name: 'year 0000 (PostgreSQL has no year zero)', collection: 'invoices', body: () => ({ customer_id: existing.customers, due_date: '0000-01-01' }), path: 'due_date' },
    { name: 'a wrong job priority', collection: 'jobs', body: () => ({ title: 'Fix boiler', customer_id: existing.customers, priority: 'asap' }), path: 'priority' },
    { name: 'a reference to no object', collection: 'jobs', body: () => ({ title: 'Fix boiler', customer_id: `cus_${UNUSED_ULID}` }), path: 'customer_id' },
    { name: 'a reference with the wrong prefix', collection: 'jobs', body: () => ({ title: 'Fix boiler', customer_id: existing.jobs }), path: 'customer_id' },
    { name: 'a bad email for a user', collection: 'users', body: () => ({ name: 'Tech', email: 'tech@' }), path: 'email' },
  ];

  for (const c of cases) {
    test(`${c.name} is 422 with errors[].path '${c.path}' (POST /v1/${c.collection})`, async () => {
      const body = await rejects('POST', `/v1/${c.collection}`, { body: c.body() }, { status: 422, code: 'validation_failed', target: c.collection });
      assertNames(body, c.path);
    });
  }

  test('invalid values on PATCH are 422 and leave the object as it was', async () => {
    for (const [patch, path] of [[{ email: 'nope' }, 'email'], [{ name: null }, 'name'], [{ status: 'deleted' }, 'status'], [{ tags: 'vip' }, 'tags']] as const) {
      const body = await rejects('PATCH', itemPath('customers'), { body: patch }, { status: 422, code: 'validation_failed', object: itemPath('customers') });
      assertNames(body, path);
    }
  });

  test('invalid action input is 422 naming the field and runs nothing', async () => {
    const job = itemPath('jobs');
    let body = await rejects('POST', `${job}/schedule`, { body: { scheduled_start: '2026-03-01T10:00:00Z', scheduled_end: '2026-03-01T09:00:00Z' } }, { status: 422, code: 'validation_failed', target: 'jobs', object: job });
    assertNames(body, 'scheduled_end');
    body = await rejects('POST', `${job}/schedule`, { body: { scheduled_start: 'tomorrow', scheduled_end: '2026-03-01T09:00:00Z' } }, { status: 422, code: 'validation_failed', target: 'jobs', object: job });
    assertNames(body, 'scheduled_start');
    body = await rejects('POST', `${job}/cancel`, { body: { reason: 'no', refund: true } }, { status: 422, code: 'validation_failed', target: 'jobs', object: job });
    assertNames(body, 'refund');
    body = await rejects('POST', `${job}/start`, { body: { force: true } }, { status: 422, code: 'validation_failed', target: 'jobs', object: job });
    assertNames(body, 'force');
    body = await rejects('POST', `${job}/cancel`, { body: { reason: 42 } }, { status: 422, code: 'validation_failed', target: 'jobs', object: job });
    assertNames(body, 'reason');
  });

  test('an action date in year 0000 is 422, not 500 (jobs schedule)', async () => {
    const body = await rejects('POST', `${itemPath('jobs')}/schedule`, { body: { scheduled_start: '0000-01-01T09:00:00Z', scheduled_end: '0000-01-01T10:00:00Z' } },
      { status: 422, code: 'validation_failed', target: 'jobs', object: itemPath('jobs') });
    assertNames(body, 'scheduled_start');
  });

  test('a bulk request with one bad item is 422 naming the item and creates none of them', async () => {
    const body = await rejects('POST', '/v1/customers/bulk', {
      body: { operations: [{ action: 'create', data: { name: 'Fine Co' } }, { action: 'create', data: { name: 'Bad Co', email: 'nope' } }] },
    }, { status: 422, code: 'validation_failed' });
    const error = body.errors.find((e: any) => e.index === 1);
    assert.ok(error, `an error carries index 1: ${JSON.stringify(body.errors)}`);
    assert.equal(error.path, 'operations.1.data.email');
    assert.ok(!body.errors.some((e: any) => e.index === 0), 'the valid item has no error');
  });

  test('a bulk request over 100 items is 422', async () => {
    const operations = Array.from({ length: 101 }, (_, i) => ({ action: 'create', data: { name: `Bulk ${i}` } }));
    const body = await rejects('POST', '/v1/customers/bulk', { body: { operations } }, { status: 422, code: 'validation_failed' });
    assertNames(body, 'operations');
  });
});

describe('text PostgreSQL cannot store', () => {
  test('a NUL character in a string value is 4xx, never 500', async () => {
    let body = await rejects('POST', '/v1/customers', { body: { name: 'Acme\u0000Ltd' } }, { status: 422, code: 'validation_failed' });
    assertNames(body, 'name');
    body = await rejects('POST', '/v1/customers', { body: { name: 'Acme', address: { city: 'Le\u0000eds' } } }, { status: 422, code: 'validation_failed' });
    assertNames(body, 'address.city');
    body = await rejects('POST', '/v1/customers', { body: { name: 'Acme', tags: ['ok', 'n\u0000'] } }, { status: 422, code: 'validation_failed' });
    assertNames(body, 'tags.1');
    body = await rejects('PATCH', itemPath('customers'), { body: { notes: '\u0000' } }, { status: 422, code: 'validation_failed', object: itemPath('customers') });
    assertNames(body, 'notes');
    body = await rejects('POST', `${itemPath('jobs')}/cancel`, { body: { reason: 'gone\u0000' } }, { status: 422, code: 'validation_failed', target: 'jobs', object: itemPath('jobs') });
    assertNames(body, 'reason');
    body = await rejects('POST', '/v1/customers/bulk', { body: { operations: [{ action: 'create', data: { name: 'N\u0000' } }] } }, { status: 422, code: 'validation_failed' });
    assert.ok(body.errors.some((e: any) => /^operations\.0\.(data\.)?name$/.test(e.path)), JSON.stringify(body.errors));
  });

  test('a lone UTF-16 surrogate (\\ud800) in a string value is 4xx, never 500', async () => {
    let body = await rejects('POST', '/v1/customers', json('{"name":"Acme \\ud800"}'), { status: 422, code: 'validation_failed' });
    assertNames(body, 'name');
    body = await rejects('POST', '/v1/customers', json('{"name":"Acme","address":{"city":"\\udc00"}}'), { status: 422, code: 'validation_failed' });
    assertNames(body, 'address.city');
  });

  test('a NUL character in a query parameter is 400 naming the parameter', async () => {
    for (const [query, parameter] of [['name=Acme%00', 'name'], ['name[contains]=a%00', 'name[contains]'], ['id=cus_%00', 'id'], ['tags=v%00ip', 'tags'], ['email[in]=a,b%00', 'email[in]'], ['q=acme%00', 'q']]) {
      const body = await rejects('GET', `/v1/customers?${query}`, {}, { status: 400, code: 'bad_request' });
      assertNames(body, parameter);
    }
  });
});

describe('list query parameters', () => {
  const badQuery = async (collection: string, query: string, parameter: string) => {
    const body = await rejects('GET', `/v1/${collection}?${query}`, {}, { status: 400, code: 'bad_request', target: collection });
    assertNames(body, parameter);
    return body;
  };

  test('a filter on an undeclared field is 400 naming it', async () => {
    await badQuery('customers', 'favourite_colour=teal', 'favourite_colour');
    await badQuery('customers', 'notes=secret', 'notes'); // a field, but not filterable
    await badQuery('customers', 'account_id=acct_x', 'account_id');
    await badQuery('customers', 'Name=Acme', 'Name');
    await badQuery('customers', 'name[]=Acme', 'name[]');
  });

  test('every listable collection refuses an unknown filter', async () => {
    for (const resource of listable()) await badQuery(resource.collection, 'not_a_field=1', 'not_a_field');
  });

  test('an operator the field does not support, or no operator at all, is 400 naming the parameter', async () => {
    await badQuery('customers', 'name[gt]=A', 'name[gt]');
    await badQuery('customers', 'name[like]=A', 'name[like]');
    await badQuery('customers', 'status[contains]=act', 'status[contains]');
    await badQuery('invoices', 'total[starts_with]=1', 'total[starts_with]');
    await badQuery('customers', 'created_at[in]=2026-01-01', 'created_at[in]');
  });

  test('a filter value of the wrong type is 400 naming the parameter, for every typed filter of every collection', async () => {
    const badValues: Record<string, string[]> = {
      integer: ['abc', '1.5', '99999999999999999999'],
      money: ['abc', '12.50', '1e3'],
      datetime: ['abc', '2026-13-01', '2026-02-30', '2026-01-01T25:00:00Z', '0000-01-01', '0001-01-01T00:30:00+01:00'],
      date: ['abc', '2026-02-30', '26-01-01', '0000-01-01'],
      boolean: ['yes', '1'],
      enum: ['not_a_value'],
    };
    const goodValue = (kind: string, enumValues?: readonly string[]) =>
      ({ integer: '1', money: '1', datetime: '2026-01-01T00:00:00Z', date: '2026-01-01', boolean: 'true', enum: enumValues?.[0] })[kind];
    let checked = 0;
    for (const resource of listable()) {
      for (const [name, field] of queryableFields(resource)) {
        const values = badValues[field.kind];
        if (!values) continue;
        const operator = field.operators.find((o) => o !== 'is_null');
        if (!operator) continue;
        const parameter = operator === 'eq' ? name : `${name}[${operator}]`;
        // Control: the same parameter with a well-typed value is accepted.
        const control = await ctx.call('GET', `/v1/${resource.collection}?${parameter}=${encodeURIComponent(goodValue(field.kind, field.enumValues)!)}`, { key: owner.key });
        assert.equal(control.status, 200, `${resource.collection}?${parameter}: ${control.text}`);
        for (const value of values) {
          await badQuery(resource.collection, `${parameter}=${encodeURIComponent(value)}`, parameter);
          checked++;
        }
      }
    }
    assert.ok(checked > 20, `checked ${checked} typed filters`);
  });

  test('is_null takes only true or false, and in takes 1 to 100 values', async () => {
    await badQuery('customers', 'email[is_null]=maybe', 'email[is_null]');
    await badQuery('customers', 'status[in]=', 'status[in]');
    await badQuery('customers', `status[in]=${Array(101).fill('active').join(',')}`, 'status[in]');
    await badQuery('customers', 'status[in]=active,vip', 'status[in]');
  });

  test('a parameter given twice is 400', async () => {
    await badQuery('customers', 'status=active&status=lead', 'status');
    await badQuery('customers', 'limit=1&limit=2', 'limit');
  });

  test('limit 0, 101, abc, -1 and 1.5 are 400 naming limit', async () => {
    for (const value of ['0', '101', 'abc', '-1', '1.5', '']) await badQuery('customers', `limit=${value}`, 'limit');
  });

  test('offset that is not a non-negative integer is 400 naming offset', async () => {
    for (const value of ['-1', 'abc', '2.5']) await badQuery('customers', `offset=${value}`, 'offset');
  });

  test('count other than true/false is 400 naming count', async () => {
    await badQuery('customers', 'count=yes', 'count');
  });

  test('a garbage or forged cursor is 400 naming cursor', async () => {
    const forged = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');
    const someId = `cus_${UNUSED_ULID}`;
    const cases: [cursor: string, sort?: string][] = [
      ['garbage!'], ['%%%'], ['bm90IGpzb24'], ['x'.repeat(3000)],
      [forged({ not: 'an array' })], [forged(['-created_at'])], [forged(['-created_at', '2026-01-01T00:00:00.000Z', someId, 'extra'])],
      [forged(['-created_at', '2026-01-01T00:00:00.000Z', 42])], // the id must be a string
      [forged(['-created_at', 'not a date', someId])],
      [forged(['-created_at', 12345, someId])],
      [forged(['-created_at', { $gt: 1 }, someId])],
      [forged(['-created_at', '2026-01-01T00:00:00.000Z', 'cus_\u0000'])],
      [forged(['name', 'Acme\u0000', someId]), 'name'],
      [forged(['name', 7, someId]), 'name'],
    ];
    for (const [cursor, sort] of cases) {
      await badQuery('customers', `cursor=${encodeURIComponent(cursor)}${sort ? `&sort=${sort}` : ''}`, 'cursor');
    }
  });

  test('a forged cursor with a wrong-typed money value is 400 (invoices sorted by total)', async () => {
    const cursor = Buffer.from(JSON.stringify(['total', 'lots', `inv_${UNUSED_ULID}`])).toString('base64url');
    await badQuery('invoices', `sort=total&cursor=${cursor}`, 'cursor');
  });

  test('a real cursor is refused under a different sort', async () => {
    const first = await ctx.call('GET', '/v1/customers?limit=1&sort=name', { key: owner.key });
    assert.equal(first.status, 200, first.text);
    const cursor = first.body.page.next_cursor;
    assert.ok(cursor, 'there is a next page');
    const ok = await ctx.call('GET', `/v1/customers?limit=1&sort=name&cursor=${cursor}`, { key: owner.key });
    assert.equal(ok.status, 200, 'the cursor works with its own sort');
    await badQuery('customers', `limit=1&cursor=${cursor}`, 'cursor');
    await badQuery('customers', `limit=1&sort=-name&cursor=${cursor}`, 'cursor');
    await badQuery('customers', `limit=1&sort=name,created_at&cursor=${cursor}`, 'cursor');
  });

  test('offset and cursor together are 400', async () => {
    const first = await ctx.call('GET', '/v1/customers?limit=1', { key: owner.key });
    const cursor = first.body.page.next_cursor;
    assert.ok(cursor);
    const body = await badQuery('customers', `offset=1&cursor=${cursor}`, 'offset');
    assert.match(body.detail, /cursor/);
  });

  test('sorting by an undeclared or unsortable field is 400 naming sort', async () => {
    for (const sort of ['favourite_colour', 'email', '-notes', 'name,name', 'name,', '--name']) {
      const body = await badQuery('customers', `sort=${encodeURIComponent(sort)}`, 'sort');
      assert.ok(body.detail.length > 'sort'.length);
    }
  });

  test('an unknown expand is 400 naming expand, on lists and on single objects', async () => {
    await badQuery('customers', 'expand=owner', 'expand');
    await badQuery('jobs', 'expand=customer,invoice', 'expand');
    const body = await rejects('GET', `${itemPath('jobs')}?expand=nonsense`, {}, { status: 400, code: 'bad_request', target: 'jobs' });
    assertNames(body, 'expand');
  });

  test('an unknown name in fields is 400 naming fields, on lists and on single objects', async () => {
    await badQuery('customers', 'fields=id,name,favourite_colour', 'fields');
    await badQuery('customers', 'fields=account_id', 'fields');
    const body = await rejects('GET', `${itemPath('customers')}?fields=secret`, {}, { status: 400, code: 'bad_request' });
    assertNames(body, 'fields');
  });

  test('list-only parameters on a single object are 400 naming them', async () => {
    const body = await rejects('GET', `${itemPath('customers')}?limit=1`, {}, { status: 400, code: 'bad_request' });
    assertNames(body, 'limit');
  });

  test('search on a collection without search fields, or a query over 200 characters, is 400 naming q', async () => {
    const unsearchable = listable().find((r) => r.searchFields.length === 0);
    if (unsearchable) await badQuery(unsearchable.collection, 'q=anything', 'q');
    await badQuery('customers', `q=${'a'.repeat(201)}`, 'q');
  });
});

describe('ids that name nothing', () => {
  test('a wrong-prefix id and an unknown id are 404 not_found on every item route', async () => {
    // Actions whose input is required would answer 422 for the empty body first; they are
    // covered with a valid body below.
    const needsInput = (route: (typeof ctx.routes)[number]) =>
      route.kind === 'action' && !(route.resource.actions[route.actionName!].input?.safeParse({}).success ?? true);
    for (const route of ctx.routes.filter((r) => r.path.includes('{id}') && !needsInput(r))) {
      const other = ctx.registry.resources.find((r) => r.idPrefix !== route.resource.idPrefix)!;
      for (const id of [`${other.idPrefix}_${UNUSED_ULID}`, `${route.resource.idPrefix}_${UNUSED_ULID}`, 'not-an-id', `${route.resource.idPrefix}_`]) {
        const options: CallOptions = route.body === 'required' ? { body: {} } : {};
        const body = await rejects(route.method.toUpperCase(), route.path.replace('{id}', id), options, { status: 404, code: 'not_found', target: route.resource.collection });
        assert.ok(body.detail.includes(id), `${route.method} ${route.path}: the detail names the id: ${body.detail}`);
      }
    }
  });

  test('an action with valid input on an unknown or wrong-prefix id is 404', async () => {
    const schedule = { scheduled_start: '2026-03-01T09:00:00Z', scheduled_end: '2026-03-01T10:00:00Z' };
    for (const id of [`job_${UNUSED_ULID}`, existing.customers]) {
      await rejects('POST', `/v1/jobs/${id}/schedule`, { body: schedule }, { status: 404, code: 'not_found', target: 'jobs' });
    }
  });

  test('an unknown action name on an existing object is 404 (internal actions are not exposed)', async () => {
    await rejects('POST', `${itemPath('jobs')}/teleport`, {}, { status: 404, code: 'not_found', target: 'jobs', object: itemPath('jobs') });
    await rejects('POST', `${itemPath('invoices')}/mark-paid`, { body: { amount_paid: 1 } }, { status: 404, code: 'not_found', target: 'invoices', object: itemPath('invoices') });
  });
});

describe('credentials', () => {
  test('no Authorization header is 401 with a WWW-Authenticate challenge, on every route', async () => {
    for (const route of ctx.routes) {
      const path = route.path.replace('{id}', existing[route.resource.collection] ?? `${route.resource.idPrefix}_${UNUSED_ULID}`);
      const options: CallOptions = { ...withoutKey, ...(route.body === 'none' ? {} : { body: route.kind === 'create' ? validCreateBody(route.resource) : {} }) };
      const body = await rejects(route.method.toUpperCase(), path, options, { status: 401, code: 'unauthenticated', target: route.resource.collection });
      assert.match(body.headers.get('www-authenticate') ?? '', /^Bearer\b/, `${route.method} ${route.path}`);
    }
  });

  test('a malformed, unknown or wrongly-presented credential is 401 with a challenge', async () => {
    const unknownKey = `fl_test_${'A'.repeat(12)}${'b'.repeat(32)}`;
    const forged = owner.key.slice(0, -1) + (owner.key.endsWith('a') ? 'b' : 'a');
    const headers = [
      `Bearer ${unknownKey}`, `Bearer ${forged}`, 'Bearer not-a-key', 'Bearer', 'Bearer ', `Basic ${Buffer.from(`${owner.key}:`).toString('base64')}`,
      owner.key, `Bearer ${owner.key} extra`, `Token ${owner.key}`, `Bearer ${owner.key.replace('fl_test_', 'fl_live_')}`,
    ];
    for (const authorization of headers) {
      const body = await rejects('POST', '/v1/customers', { ...withoutKey, headers: { authorization }, body: { name: 'Intruder' } }, { status: 401, code: 'unauthenticated' });
      assert.match(body.headers.get('www-authenticate') ?? '', /^Bearer\b/, authorization);
    }
  });

  test('a key without the scope is 403 insufficient_scope naming the scope', async () => {
    const readCustomers = await ctx.newKey(owner.id, ['read:customers']);
    const ok = await ctx.call('GET', '/v1/customers', { key: readCustomers });
    assert.equal(ok.status, 200, 'the key works for what it holds');
    const body = await rejects('POST', '/v1/customers', { key: readCustomers, body: { name: 'Not Allowed' } }, { status: 403, code: 'insufficient_scope' });
    assert.match(body.detail, /write:customers/);
    assert.equal(body.required_scope, 'write:customers');
  });

  test('every route refuses a key that lacks its scope, naming that scope', async () => {
    const readCustomers = await ctx.newKey(owner.id, ['read:customers']);
    for (const route of ctx.routes.filter((r) => r.scope !== 'read:customers')) {
      const path = route.path.replace('{id}', existing[route.resource.collection] ?? `${route.resource.idPrefix}_${UNUSED_ULID}`);
      const options: CallOptions = { key: readCustomers, ...(route.body === 'none' ? {} : { body: {} }) };
      const body = await rejects(route.method.toUpperCase(), path, options, { status: 403, code: 'insufficient_scope', target: route.resource.collection });
      assert.ok(body.detail.includes(route.scope), `${route.method} ${route.path}: ${body.detail}`);
      assert.equal(body.required_scope, route.scope);
    }
  });

  test('the scope check comes before the body is read: a bad body from an unscoped key is still 403', async () => {
    const readOnly = await ctx.newKey(owner.id, ['read:*']);
    const body = await rejects('POST', '/v1/customers', { key: readOnly, ...json('{"broken') }, { status: 403, code: 'insufficient_scope' });
    assert.match(body.detail, /write:customers/);
  });
});

describe('routes and methods', () => {
  test('an unknown route is 404 not_found', async () => {
    for (const path of ['/v1/nope', '/v1/customer', '/v2/customers', '/v1/customers/x/y/z', '/', '/v1/Customers']) {
      await rejects('GET', path, {}, { status: 404, code: 'not_found' });
      await rejects('POST', path, { body: { name: 'x' } }, { status: 404, code: 'not_found' });
    }
  });

  test('a method a path does not support is 405 with an Allow header listing the ones it does', async () => {
    const concrete = (path: string) => path.replace('{id}', `cus_${UNUSED_ULID}`);
    const patternOf = (path: string) => new RegExp(`^${path.replace(/\{id\}/g, '[^/]+')}$`);
    const byPath = new Map<string, Set<string>>();
    for (const route of ctx.routes) (byPath.get(route.path) ?? byPath.set(route.path, new Set()).get(route.path)!).add(route.method.toUpperCase());
    let checked = 0;
    for (const [path, methods] of byPath) {
      const url = concrete(path);
      for (const method of ['GET', 'POST', 'PATCH', 'DELETE', 'PUT']) {
        if (methods.has(method)) continue;
        // `/v1/customers/export` is also `/v1/customers/{id}` for PATCH: skip methods another route answers.
        if (ctx.routes.some((r) => r.method.toUpperCase() === method && patternOf(r.path).test(url))) continue;
        const body = await rejects(method, url, method === 'GET' ? {} : { body: {} }, { status: 405, code: 'method_not_allowed' });
        const allow = (body.headers.get('allow') ?? '').split(',').map((m: string) => m.trim()).filter(Boolean);
        assert.deepEqual(new Set(allow), methods, `Allow for ${path}`);
        checked++;
      }
    }
    assert.ok(checked >= byPath.size, `checked ${checked} method/path pairs`);
  });

  test('405 needs no credential and comes before it', async () => {
    const body = await rejects('PUT', '/v1/customers', { ...withoutKey }, { status: 405, code: 'method_not_allowed' });
    assert.deepEqual(new Set(body.headers.get('allow').split(',').map((m: string) => m.trim())), new Set(['GET', 'POST']));
  });

  test('collections without create refuse POST with 405 (events are read-only)', async () => {
    for (const resource of listable().filter((r) => !r.operations.has('create'))) {
      const body = await rejects('POST', `/v1/${resource.collection}`, { body: {} }, { status: 405, code: 'method_not_allowed', target: resource.collection });
      assert.equal(body.headers.get('allow'), 'GET');
    }
  });
});

describe('the request id', () => {
  test('a well-formed incoming X-Request-Id is kept on the problem; a malformed one is replaced', async () => {
    let body = await rejects('POST', '/v1/customers', { ...json('{'), headers: { 'content-type': 'application/json', 'x-request-id': 'client-trace.42' } }, { status: 400, code: 'bad_request' });
    assert.equal(body.request_id, 'client-trace.42');
    body = await rejects('POST', '/v1/customers', { ...json('{'), headers: { 'content-type': 'application/json', 'x-request-id': 'bad id with spaces' } }, { status: 400, code: 'bad_request' });
    assert.match(body.request_id, /^req_/);
  });
});
