// Bad requests beyond the body's content: oversized bodies, ids that name nothing, missing or
// insufficient credentials, unknown routes and methods, and the request id. Each is refused with
// the documented RFC 9457 problem and changes nothing (see RefusalChecks.rejects).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Hono } from 'hono';
import type { CallOptions, CallResult } from './support/test-context.ts';
import { randomBytes } from 'node:crypto';
import { createFieldline } from '../src/main.ts';
import { SecretBox } from '../src/platform/secret-box.ts';
import {
  MiB,
  UNUSED_ULID,
  assertNames,
  assertProblem,
  json,
  refusalChecksForThisFile,
  withoutKey,
} from './support/problem-assertions.ts';
import { generatedOperations, type GeneratedOperation } from './support/generated-operations.ts';

const suite = refusalChecksForThisFile();

describe('oversized bodies', () => {
  const bigBody = (bytes: number) => JSON.stringify({ name: 'Big Co', notes: 'x'.repeat(bytes) });

  test('a body over the default 1 MiB is 413 payload_too_large', async () => {
    const raw = bigBody(MiB + 10);
    assert.ok(Buffer.byteLength(raw) > MiB);
    await suite.api.rejects('POST', '/v1/customers', json(raw), { status: 413, code: 'payload_too_large' });
  });

  test('413 also when the client declares the size in Content-Length', async () => {
    const raw = bigBody(MiB + 10);
    await suite.api.rejects('POST', '/v1/customers', json(raw, { 'content-length': String(Buffer.byteLength(raw)) }), {
      status: 413,
      code: 'payload_too_large',
    });
  });

  test('413 for a chunked body with no Content-Length (streamed)', async () => {
    const bytes = new TextEncoder().encode(bigBody(MiB + 10));
    const stream = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024));
          controller.close();
        },
      });
    const before = { events: await suite.api.total('/v1/events'), list: await suite.api.total('/v1/customers') };
    const res = await suite.ctx.app.request('/v1/customers', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${suite.api.owner.key}`,
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      },
      body: stream(),
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.headers.get('content-length'), null);
    const text = await res.text();
    assertProblem({ status: res.status, headers: res.headers, body: JSON.parse(text), text }, 413, 'payload_too_large');
    assert.deepEqual(
      { events: await suite.api.total('/v1/events'), list: await suite.api.total('/v1/customers') },
      before,
    );
  });

  test('413 on PATCH and on actions too', async () => {
    await suite.api.rejects('PATCH', suite.api.itemPath('customers'), json(bigBody(MiB + 10)), {
      status: 413,
      code: 'payload_too_large',
      object: suite.api.itemPath('customers'),
    });
    await suite.api.rejects(
      'POST',
      `${suite.api.itemPath('jobs')}/cancel`,
      json(JSON.stringify({ reason: 'x'.repeat(MiB + 10) })),
      { status: 413, code: 'payload_too_large', target: 'jobs', object: suite.api.itemPath('jobs') },
    );
  });

  describe('with a configured limit (maxBodyBytes 2000)', () => {
    // A second app over the same database, configured as createTestContext({ maxBodyBytes }) would.
    let small: Hono;
    let account: { id: string; key: string };
    before(async () => {
      small = createFieldline({
        db: suite.ctx.db,
        secrets: new SecretBox(randomBytes(32)),
        logger: pino({ level: 'silent' }),
        options: { publicUrl: 'http://localhost:3000', maxBodyBytes: 2000 },
      }).app;
      account = await suite.ctx.newAccount('Small Limit Co');
    });

    const post = async (path: string, raw: string): Promise<CallResult> => {
      const res = await small.request(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${account.key}`, 'content-type': 'application/json' },
        body: raw,
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : text };
    };
    const count = async (path: string) =>
      (await suite.ctx.call('GET', `${path}?count=true`, { key: account.key })).body.page.total;
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

describe('ids that name nothing', () => {
  test('a wrong-prefix id and an unknown id are 404 not_found on every item route', async () => {
    // Actions whose input is required would answer 422 for the empty body first; they are
    // covered with a valid body below.
    const needsInput = (route: GeneratedOperation) =>
      route.kind === 'action' && !(route.resource.actions[route.action!].input?.safeParse({}).success ?? true);
    for (const route of generatedOperations(suite.ctx.api).filter((r) => r.path.includes('{id}') && !needsInput(r))) {
      const other = suite.ctx.registry.resources.find((r) => r.idPrefix !== route.resource.idPrefix)!;
      for (const id of [
        `${other.idPrefix}_${UNUSED_ULID}`,
        `${route.resource.idPrefix}_${UNUSED_ULID}`,
        'not-an-id',
        `${route.resource.idPrefix}_`,
      ]) {
        const options: CallOptions = route.body && 'json' in route.body && route.body.required ? { body: {} } : {};
        const body = await suite.api.rejects(route.method.toUpperCase(), route.path.replace('{id}', id), options, {
          status: 404,
          code: 'not_found',
          target: route.resource.collection,
        });
        assert.ok(body.detail.includes(id), `${route.method} ${route.path}: the detail names the id: ${body.detail}`);
      }
    }
  });

  test('an action with valid input on an unknown or wrong-prefix id is 404', async () => {
    const schedule = { scheduled_start: '2026-03-01T09:00:00Z', scheduled_end: '2026-03-01T10:00:00Z' };
    for (const id of [`job_${UNUSED_ULID}`, suite.api.existing.customers]) {
      await suite.api.rejects(
        'POST',
        `/v1/jobs/${id}/schedule`,
        { body: schedule },
        { status: 404, code: 'not_found', target: 'jobs' },
      );
    }
  });

  test('an unknown action name on an existing object is 404 (internal actions are not exposed)', async () => {
    await suite.api.rejects(
      'POST',
      `${suite.api.itemPath('jobs')}/teleport`,
      {},
      { status: 404, code: 'not_found', target: 'jobs', object: suite.api.itemPath('jobs') },
    );
    await suite.api.rejects(
      'POST',
      `${suite.api.itemPath('invoices')}/mark-paid`,
      { body: { amount_paid: 1 } },
      { status: 404, code: 'not_found', target: 'invoices', object: suite.api.itemPath('invoices') },
    );
  });
});

describe('credentials', () => {
  test('no Authorization header is 401 with a WWW-Authenticate challenge, on every route', async () => {
    for (const route of generatedOperations(suite.ctx.api)) {
      const path = route.path.replace(
        '{id}',
        suite.api.existing[route.resource.collection] ?? `${route.resource.idPrefix}_${UNUSED_ULID}`,
      );
      const options: CallOptions = {
        ...withoutKey,
        ...(!route.body ? {} : { body: route.kind === 'create' ? await suite.api.createBody(route.resource) : {} }),
      };
      const body = await suite.api.rejects(route.method.toUpperCase(), path, options, {
        status: 401,
        code: 'unauthenticated',
        target: route.resource.collection,
      });
      assert.match(body.headers.get('www-authenticate') ?? '', /^Bearer\b/, `${route.method} ${route.path}`);
    }
  });

  test('a malformed, unknown or wrongly-presented credential is 401 with a challenge', async () => {
    const unknownKey = `fl_test_${'A'.repeat(12)}${'b'.repeat(32)}`;
    const forged = suite.api.owner.key.slice(0, -1) + (suite.api.owner.key.endsWith('a') ? 'b' : 'a');
    const headers = [
      `Bearer ${unknownKey}`,
      `Bearer ${forged}`,
      'Bearer not-a-key',
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from(`${suite.api.owner.key}:`).toString('base64')}`,
      suite.api.owner.key,
      `Bearer ${suite.api.owner.key} extra`,
      `Token ${suite.api.owner.key}`,
      `Bearer ${suite.api.owner.key.replace('fl_live_', 'fl_test_')}`, // the other mode's prefix: another key
    ];
    for (const authorization of headers) {
      const body = await suite.api.rejects(
        'POST',
        '/v1/customers',
        { ...withoutKey, headers: { authorization }, body: { name: 'Intruder' } },
        { status: 401, code: 'unauthenticated' },
      );
      assert.match(body.headers.get('www-authenticate') ?? '', /^Bearer\b/, authorization);
    }
  });

  test('a key without the scope is 403 insufficient_scope naming the scope', async () => {
    const readCustomers = await suite.ctx.newKey(suite.api.owner.id, ['read:customers']);
    const ok = await suite.ctx.call('GET', '/v1/customers', { key: readCustomers });
    assert.equal(ok.status, 200, 'the key works for what it holds');
    const body = await suite.api.rejects(
      'POST',
      '/v1/customers',
      { key: readCustomers, body: { name: 'Not Allowed' } },
      { status: 403, code: 'insufficient_scope' },
    );
    assert.match(body.detail, /write:customers/);
    assert.equal(body.required_scope, 'write:customers');
  });

  test('every route refuses a key that lacks its scope, naming that scope', async () => {
    const readCustomers = await suite.ctx.newKey(suite.api.owner.id, ['read:customers']);
    for (const route of generatedOperations(suite.ctx.api).filter((r) => r.scope !== 'read:customers')) {
      const path = route.path.replace(
        '{id}',
        suite.api.existing[route.resource.collection] ?? `${route.resource.idPrefix}_${UNUSED_ULID}`,
      );
      const options: CallOptions = { key: readCustomers, ...(!route.body ? {} : { body: {} }) };
      const body = await suite.api.rejects(route.method.toUpperCase(), path, options, {
        status: 403,
        code: 'insufficient_scope',
        target: route.resource.collection,
      });
      assert.ok(body.detail.includes(route.scope), `${route.method} ${route.path}: ${body.detail}`);
      assert.equal(body.required_scope, route.scope);
    }
  });

  test('every expandable relation needs the read scope of what it embeds, on lists and objects', async () => {
    let checked = 0;
    for (const resource of suite.api.listable()) {
      const relations = Object.values(resource.fields).flatMap((spec) =>
        spec.ref?.expandAs && spec.ref.collection !== resource.collection
          ? [{ name: spec.ref.expandAs, target: spec.ref.collection }]
          : [],
      );
      if (!relations.length) continue;
      const own = await suite.ctx.newKey(suite.api.owner.id, [`read:${resource.collection}`]);
      for (const { name, target } of relations) {
        const paths = [`/v1/${resource.collection}?expand=${name}`];
        if (suite.api.existing[resource.collection])
          paths.push(`${suite.api.itemPath(resource.collection)}?expand=${name}`);
        for (const path of paths) {
          const body = await suite.api.rejects('GET', path, { key: own }, { status: 403, code: 'insufficient_scope' });
          assert.equal(body.required_scope, `read:${target}`, `${path}: ${body.detail}`);
          checked++;
        }
        const both = await suite.ctx.newKey(suite.api.owner.id, [`read:${resource.collection}`, `read:${target}`]);
        const allowed = await suite.ctx.call('GET', paths.at(-1)!, { key: both });
        assert.equal(allowed.status, 200, `${paths.at(-1)} with both scopes: ${allowed.text}`);
      }
    }
    assert.ok(checked > 10, `expansions checked: ${checked}`);
  });

  test('the scope check comes before the body is read: a bad body from an unscoped key is still 403', async () => {
    const readOnly = await suite.ctx.newKey(suite.api.owner.id, ['read:*']);
    const body = await suite.api.rejects(
      'POST',
      '/v1/customers',
      { key: readOnly, ...json('{"broken') },
      { status: 403, code: 'insufficient_scope' },
    );
    assert.match(body.detail, /write:customers/);
  });
});

describe('routes and methods', () => {
  test('an unknown route is 404 not_found', async () => {
    for (const path of ['/v1/nope', '/v1/customer', '/v2/customers', '/v1/customers/x/y/z', '/', '/v1/Customers']) {
      // GET / is the server's front door: it leads a browser to the developer portal.
      if (path !== '/') await suite.api.rejects('GET', path, {}, { status: 404, code: 'not_found' });
      await suite.api.rejects('POST', path, { body: { name: 'x' } }, { status: 404, code: 'not_found' });
    }
    const frontDoor = await suite.ctx.call('GET', '/');
    assert.deepEqual([frontDoor.status, frontDoor.headers.get('location')], [302, '/portal']);
  });

  test('a method a path does not support is 405 with an Allow header listing the ones it does', async () => {
    const concrete = (path: string) => path.replace('{id}', `cus_${UNUSED_ULID}`);
    const byPath = new Map<string, Set<string>>();
    for (const route of suite.ctx.api.operations.filter((operation) => !operation.undocumented))
      (byPath.get(route.path) ?? byPath.set(route.path, new Set()).get(route.path)!).add(route.method.toUpperCase());
    let checked = 0;
    for (const [path, methods] of byPath) {
      const url = concrete(path);
      for (const method of ['GET', 'POST', 'PATCH', 'DELETE', 'PUT']) {
        if (methods.has(method)) continue; // `GET /v1/customers/bulk` too: static paths are not ids
        const body = await suite.api.rejects(method, url, method === 'GET' ? {} : { body: {} }, {
          status: 405,
          code: 'method_not_allowed',
        });
        const allow = (body.headers.get('allow') ?? '')
          .split(',')
          .map((m: string) => m.trim())
          .filter(Boolean);
        assert.deepEqual(new Set(allow), methods, `Allow for ${path}`);
        checked++;
      }
    }
    assert.ok(checked >= byPath.size, `checked ${checked} method/path pairs`);
  });

  test('405 needs no credential and comes before it', async () => {
    const body = await suite.api.rejects(
      'PUT',
      '/v1/customers',
      { ...withoutKey },
      { status: 405, code: 'method_not_allowed' },
    );
    assert.deepEqual(
      new Set(
        body.headers
          .get('allow')
          .split(',')
          .map((m: string) => m.trim()),
      ),
      new Set(['GET', 'POST']),
    );
  });

  test('collections without create refuse POST with 405 (events are read-only)', async () => {
    // A module may post to a read-only log's path itself (voice commands are given, then logged).
    const posted = new Set(
      suite.ctx.api.operations.filter((operation) => operation.method.toUpperCase() === 'POST').map((op) => op.path),
    );
    const readOnly = suite.api.listable().filter((r) => !r.operations.has('create'));
    for (const resource of readOnly.filter((r) => !posted.has(`/v1/${r.collection}`))) {
      const body = await suite.api.rejects(
        'POST',
        `/v1/${resource.collection}`,
        { body: {} },
        { status: 405, code: 'method_not_allowed', target: resource.collection },
      );
      assert.equal(body.headers.get('allow'), 'GET');
    }
  });
});

describe('the request id', () => {
  test('a well-formed incoming X-Request-Id is kept on the problem; a malformed one is replaced', async () => {
    let body = await suite.api.rejects(
      'POST',
      '/v1/customers',
      { ...json('{'), headers: { 'content-type': 'application/json', 'x-request-id': 'client-trace.42' } },
      { status: 400, code: 'bad_request' },
    );
    assert.equal(body.request_id, 'client-trace.42');
    body = await suite.api.rejects(
      'POST',
      '/v1/customers',
      { ...json('{'), headers: { 'content-type': 'application/json', 'x-request-id': 'bad id with spaces' } },
      { status: 400, code: 'bad_request' },
    );
    assert.match(body.request_id, /^req_/);
  });
});

// Issue 26, defect 9: text PostgreSQL cannot store (NUL, unpaired surrogates) in a path id or a
// query value names nothing and is refused before any SQL; JSON nesting is bounded for every body.
describe('NUL bytes in ids and query values, and deeply nested bodies', () => {
  test('a NUL in a path id is 404 not_found on the routes that answered 500', async () => {
    for (const [method, path] of [
      ['GET', '/v1/oauth/clients/%00'],
      ['PATCH', '/v1/oauth/clients/%00'],
      ['DELETE', '/v1/oauth/connected-apps/%00'],
      ['GET', '/v1/customers/cus_%00'],
    ]) {
      await suite.api.rejects(method, path, method === 'PATCH' ? { body: {} } : {}, {
        status: 404,
        code: 'not_found',
      });
    }
  });

  test('every route with a path parameter refuses a NUL or unpaired surrogate there without a 500', async () => {
    for (const operation of suite.ctx.api.operations.filter((o) => o.path.includes('{'))) {
      for (const bad of ['%00', 'x%00y', '%ED%A0%80']) {
        const path = operation.path.replace(/\{\w+\}/g, bad);
        const method = operation.method.toUpperCase();
        const res = await suite.ctx.call(method, path, {
          key: suite.api.owner.key,
          ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }),
        });
        assert.ok(res.status < 500, `${method} ${path}: ${res.status} ${res.text}`);
        // Pages (an unsubscribe link) answer in HTML; everything else in problem+json.
        const page = 'content' in operation.response && Object.hasOwn(operation.response.content ?? {}, 'text/html');
        if (!page)
          assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, `${method} ${path}`);
        // An API key is refused on routes for other callers (a customer's session) before the id is read.
        if (method === 'GET' && bad.includes('%00') && operation.authentication === 'credential')
          assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
      }
    }
  });

  test('a NUL in a query value of a hand-declared operation is 400 naming the parameter', async () => {
    const body = await suite.api.rejects(
      'GET',
      '/v1/gps/latest?technician_id=%00',
      {},
      { status: 400, code: 'bad_request' },
    );
    assertNames(body, 'technician_id');
  });

  test('JSON nested deeper than 64 levels is 400 bad_request on every body; 64 levels are fine', async () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const ok = await suite.ctx.call('POST', '/v1/echo', { key: suite.api.owner.key, ...json(nested(64)) });
    assert.equal(ok.status, 200, ok.text);
    for (const depth of [65, 5_000, 100_000]) {
      const body = await suite.api.rejects('POST', '/v1/echo', json(nested(depth)), {
        status: 400,
        code: 'bad_request',
      });
      assert.match(body.detail, /nest/);
    }
    const objects = '{"a":'.repeat(65) + '1' + '}'.repeat(65);
    await suite.api.rejects('POST', '/v1/customers', json(objects), { status: 400, code: 'bad_request' });
    // Brackets inside strings are text, not nesting.
    const text = await suite.ctx.call('POST', '/v1/echo', {
      key: suite.api.owner.key,
      ...json(JSON.stringify({ note: '['.repeat(1000) + '{\\"'.repeat(100) })),
    });
    assert.equal(text.status, 200, text.text);
  });
});
