// Bad request bodies: not a JSON object, fields a client may not write, invalid values and text
// PostgreSQL cannot store. Each is refused with the documented RFC 9457 problem and changes
// nothing (see RefusalChecks.rejects).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Fixtures, sampleFromJsonSchema } from './support/fixtures.ts';
import type { TestAccount } from './support/test-context.ts';
import type { Operation } from '../src/platform/api/operation.ts';
import { refusalChecksForThisFile, UNUSED_ULID, assertNames, json } from './support/problem-assertions.ts';

const suite = refusalChecksForThisFile();

describe('request bodies that are not a JSON object', () => {
  test('malformed JSON is 400 bad_request', async () => {
    for (const raw of [
      '{"name": ',
      '{name: "Acme"}',
      '{"name": "Acme"} trailing',
      "{'name': 'Acme'}",
      '{"name": "Acme",}',
      'NaN',
    ]) {
      const body = await suite.api.rejects('POST', '/v1/customers', json(raw), { status: 400, code: 'bad_request' });
      assert.match(body.detail, /JSON/);
    }
  });

  test('malformed JSON on PATCH and on an action is 400 too', async () => {
    await suite.api.rejects('PATCH', suite.api.itemPath('customers'), json('{"name":'), {
      status: 400,
      code: 'bad_request',
      object: suite.api.itemPath('customers'),
    });
    await suite.api.rejects('POST', `${suite.api.itemPath('jobs')}/cancel`, json('{"reason":'), {
      status: 400,
      code: 'bad_request',
      target: 'jobs',
      object: suite.api.itemPath('jobs'),
    });
  });

  test('a body in another content type is 415 unsupported_media_type', async () => {
    for (const contentType of [
      'text/plain',
      'text/plain; charset=utf-8',
      'application/x-www-form-urlencoded',
      'application/xml',
      'application/jsonp',
    ]) {
      const body = await suite.api.rejects(
        'POST',
        '/v1/customers',
        { rawBody: '{"name":"Acme"}', headers: { 'content-type': contentType } },
        { status: 415, code: 'unsupported_media_type' },
      );
      assert.match(body.detail, /application\/json/);
    }
  });

  test('a body with no content type at all is 415', async () => {
    // A Uint8Array body gets no default Content-Type (a string would become text/plain).
    await suite.api.rejects(
      'POST',
      '/v1/customers',
      { rawBody: new TextEncoder().encode('{"name":"Acme"}') },
      { status: 415, code: 'unsupported_media_type' },
    );
  });

  test('415 also on PATCH', async () => {
    await suite.api.rejects(
      'PATCH',
      suite.api.itemPath('customers'),
      { rawBody: '{"name":"Renamed"}', headers: { 'content-type': 'text/plain' } },
      { status: 415, code: 'unsupported_media_type', object: suite.api.itemPath('customers') },
    );
  });

  test('JSON with a +json suffix and a charset is accepted (control)', async () => {
    const res = await suite.ctx.call('POST', '/v1/customers', {
      key: suite.api.owner.key,
      rawBody: '{"name":"Suffix Co"}',
      headers: { 'content-type': 'application/vnd.api+json; charset=utf-8' },
    });
    assert.equal(res.status, 201, res.text);
  });

  test('an empty body on create is 400 bad_request', async () => {
    await suite.api.rejects('POST', '/v1/customers', json(''), { status: 400, code: 'bad_request' });
    await suite.api.rejects('POST', '/v1/customers', json('   \n'), { status: 400, code: 'bad_request' });
    await suite.api.rejects('POST', '/v1/customers', {}, { status: 400, code: 'bad_request' });
  });

  test('an empty body on PATCH is 400 bad_request', async () => {
    await suite.api.rejects('PATCH', suite.api.itemPath('customers'), json(''), {
      status: 400,
      code: 'bad_request',
      object: suite.api.itemPath('customers'),
    });
  });

  test('a JSON array, string, number or null is 422 validation_failed', async () => {
    for (const raw of ['[]', '[{"name":"Acme"}]', '"Acme"', '42', 'null', 'true']) {
      await suite.api.rejects('POST', '/v1/customers', json(raw), { status: 422, code: 'validation_failed' });
      await suite.api.rejects('PATCH', suite.api.itemPath('customers'), json(raw), {
        status: 422,
        code: 'validation_failed',
        object: suite.api.itemPath('customers'),
      });
    }
  });

  test('an action given a JSON array is 422', async () => {
    await suite.api.rejects('POST', `${suite.api.itemPath('jobs')}/cancel`, json('[]'), {
      status: 422,
      code: 'validation_failed',
      target: 'jobs',
      object: suite.api.itemPath('jobs'),
    });
  });
});

describe('fields a client may not write', () => {
  test(
    'control: the create body the refusals below start ' + 'from is accepted as it is, for every collection',
    async () => {
      // In a second account, so the objects it creates take no unique value from the one under test.
      const account = await suite.ctx.newAccount('Control Co');
      const fixtures = new Fixtures(suite.ctx, account);
      for (const resource of suite.api.creatable()) {
        const res = await suite.ctx.call('POST', `/v1/${resource.collection}`, {
          key: account.key,
          body: await suite.api.createBody(resource, fixtures),
        });
        // A create that starts work (a report) answers 202.
        const status = resource.acceptedOnCreate ? 202 : 201;
        assert.equal(res.status, status, `the baseline body for ${resource.collection} is valid: ${res.text}`);
      }
    },
  );

  test('an unknown field is 422 naming the field, on every create', async () => {
    for (const resource of suite.api.creatable()) {
      const body = await suite.api.rejects(
        'POST',
        `/v1/${resource.collection}`,
        { body: { ...(await suite.api.createBody(resource)), favourite_colour: 'teal' } },
        { status: 422, code: 'validation_failed', target: resource.collection },
      );
      assertNames(body, 'favourite_colour');
    }
  });

  test('an unknown field is 422 naming the field, on every update', async () => {
    for (const resource of suite.api.updatable()) {
      const body = await suite.api.rejects(
        'PATCH',
        suite.api.itemPath(resource.collection),
        { body: { favourite_colour: 'teal' } },
        {
          status: 422,
          code: 'validation_failed',
          target: resource.collection,
          object: suite.api.itemPath(resource.collection),
        },
      );
      assertNames(body, 'favourite_colour');
    }
  });

  test('an unknown key inside a structured field is 422 (address)', async () => {
    const body = await suite.api.rejects(
      'POST',
      '/v1/customers',
      { body: { name: 'Nested Co', address: { city: 'Leeds', planet: 'Earth' } } },
      { status: 422, code: 'validation_failed' },
    );
    assertNames(body, 'address.planet');
  });

  test(
    'server-owned fields (id, object, account_id, created_at, ' + 'updated_at) are 422 on every create and update',
    async () => {
      const values: Record<string, unknown> = {
        id: `cus_${UNUSED_ULID}`,
        object: 'customer',
        account_id: suite.api.owner.id,
        created_at: '2020-01-01T00:00:00Z',
        updated_at: '2020-01-01T00:00:00Z',
      };
      for (const [name, value] of Object.entries(values)) {
        for (const resource of suite.api.creatable()) {
          const body = await suite.api.rejects(
            'POST',
            `/v1/${resource.collection}`,
            { body: { ...(await suite.api.createBody(resource)), [name]: value } },
            { status: 422, code: 'validation_failed', target: resource.collection },
          );
          assertNames(body, name);
        }
        for (const resource of suite.api.updatable()) {
          const body = await suite.api.rejects(
            'PATCH',
            suite.api.itemPath(resource.collection),
            { body: { [name]: value } },
            {
              status: 422,
              code: 'validation_failed',
              target: resource.collection,
              object: suite.api.itemPath(resource.collection),
            },
          );
          assertNames(body, name);
        }
      }
    },
  );

  test('read-only declared fields are 422 on every create and update', async () => {
    for (const resource of suite.api.creatable()) {
      for (const [name, spec] of Object.entries(resource.fields)) {
        if (spec.access !== 'readOnly') continue;
        const value = spec.enumValues?.at(-1) ?? (spec.kind === 'money' ? 1 : 'x');
        const body = await suite.api.rejects(
          'POST',
          `/v1/${resource.collection}`,
          { body: { ...(await suite.api.createBody(resource)), [name]: value } },
          { status: 422, code: 'validation_failed', target: resource.collection },
        );
        assertNames(body, name);
        if (resource.operations.has('update')) {
          const patched = await suite.api.rejects(
            'PATCH',
            suite.api.itemPath(resource.collection),
            { body: { [name]: value } },
            {
              status: 422,
              code: 'validation_failed',
              target: resource.collection,
              object: suite.api.itemPath(resource.collection),
            },
          );
          assertNames(patched, name);
        }
      }
    }
  });

  test('jobs.status changes only through actions: writing it is 422 and says so', async () => {
    const created = await suite.api.rejects(
      'POST',
      '/v1/jobs',
      { body: { ...(await suite.api.createBody(suite.ctx.registry.get('jobs'))), status: 'completed' } },
      { status: 422, code: 'validation_failed', target: 'jobs' },
    );
    assertNames(created, 'status');
    assert.match(created.errors.find((e: any) => e.path === 'status').message, /action/);
    const patched = await suite.api.rejects(
      'PATCH',
      suite.api.itemPath('jobs'),
      { body: { status: 'completed' } },
      { status: 422, code: 'validation_failed', target: 'jobs', object: suite.api.itemPath('jobs') },
    );
    assertNames(patched, 'status');
    assert.match(patched.errors.find((e: any) => e.path === 'status').message, /action/);
  });

  test('a create-only field cannot be changed by PATCH (invoices.customer_id)', async () => {
    const body = await suite.api.rejects(
      'PATCH',
      suite.api.itemPath('invoices'),
      { body: { customer_id: suite.api.existing.customers } },
      { status: 422, code: 'validation_failed', target: 'invoices', object: suite.api.itemPath('invoices') },
    );
    assertNames(body, 'customer_id');
  });
});

describe('invalid values', () => {
  const cases: { name: string; collection: string; body: () => Record<string, unknown>; path: string }[] = [
    {
      name: 'a bad email',
      collection: 'customers',
      body: () => ({ name: 'Acme', email: 'not-an-email' }),
      path: 'email',
    },
    { name: 'a bad phone', collection: 'customers', body: () => ({ name: 'Acme', phone: 'call me' }), path: 'phone' },
    {
      name: 'a wrong enum value',
      collection: 'customers',
      body: () => ({ name: 'Acme', status: 'vip' }),
      path: 'status',
    },
    { name: 'a wrong type', collection: 'customers', body: () => ({ name: 42 }), path: 'name' },
    { name: 'an empty required string', collection: 'customers', body: () => ({ name: '' }), path: 'name' },
    {
      name: 'a missing required field',
      collection: 'customers',
      body: () => ({ company: 'No Name Ltd' }),
      path: 'name',
    },
    {
      name: 'a bad nested value',
      collection: 'customers',
      body: () => ({ name: 'Acme', address: { country: 'United Kingdom' } }),
      path: 'address.country',
    },
    {
      name: 'tags that are not strings',
      collection: 'customers',
      body: () => ({ name: 'Acme', tags: [1] }),
      path: 'tags.0',
    },
    { name: 'negative money', collection: 'payments', body: () => ({ amount: -500, method: 'cash' }), path: 'amount' },
    {
      name: 'zero money where at least 1 is required',
      collection: 'payments',
      body: () => ({ amount: 0, method: 'cash' }),
      path: 'amount',
    },
    {
      name: 'fractional money',
      collection: 'payments',
      body: () => ({ amount: 12.5, method: 'cash' }),
      path: 'amount',
    },
    {
      name: 'money as a string',
      collection: 'payments',
      body: () => ({ amount: '1250', method: 'cash' }),
      path: 'amount',
    },
    {
      name: 'money beyond the safe integer range',
      collection: 'payments',
      body: () => ({ amount: 2 ** 60, method: 'cash' }),
      path: 'amount',
    },
    {
      name: 'a wrong payment method',
      collection: 'payments',
      body: () => ({ amount: 500, method: 'bitcoin' }),
      path: 'method',
    },
    {
      name: 'a bad currency',
      collection: 'payments',
      body: () => ({ amount: 500, method: 'cash', currency: 'dollars' }),
      path: 'currency',
    },
    {
      name: 'a negative line-item amount',
      collection: 'invoices',
      body: () => ({
        customer_id: suite.api.existing.customers,
        line_items: [{ description: 'Labour', quantity: 1, unit_amount: -1 }],
      }),
      path: 'line_items.0.unit_amount',
    },
    {
      name: 'a tax rate above 100 %',
      collection: 'invoices',
      body: () => ({ customer_id: suite.api.existing.customers, tax_rate_bps: 10_001 }),
      path: 'tax_rate_bps',
    },
    {
      name: 'an impossible date',
      collection: 'invoices',
      body: () => ({ customer_id: suite.api.existing.customers, due_date: '2026-02-30' }),
      path: 'due_date',
    },
    {
      name: 'year 0000 (PostgreSQL has no year zero)',
      collection: 'invoices',
      body: () => ({ customer_id: suite.api.existing.customers, due_date: '0000-01-01' }),
      path: 'due_date',
    },
    {
      name: 'a wrong job priority',
      collection: 'jobs',
      body: () => ({ title: 'Fix boiler', customer_id: suite.api.existing.customers, priority: 'asap' }),
      path: 'priority',
    },
    {
      name: 'a reference to no object',
      collection: 'jobs',
      body: () => ({ title: 'Fix boiler', customer_id: `cus_${UNUSED_ULID}` }),
      path: 'customer_id',
    },
    {
      name: 'a reference with the wrong prefix',
      collection: 'jobs',
      body: () => ({ title: 'Fix boiler', customer_id: suite.api.existing.jobs }),
      path: 'customer_id',
    },
    {
      name: 'a bad email for a user',
      collection: 'users',
      body: () => ({ name: 'Tech', email: 'tech@' }),
      path: 'email',
    },
  ];

  for (const c of cases) {
    test(`${c.name} is 422 with errors[].path '${c.path}' (POST /v1/${c.collection})`, async () => {
      const body = await suite.api.rejects(
        'POST',
        `/v1/${c.collection}`,
        { body: c.body() },
        { status: 422, code: 'validation_failed', target: c.collection },
      );
      assertNames(body, c.path);
    });
  }

  test('invalid values on PATCH are 422 and leave the object as it was', async () => {
    for (const [patch, path] of [
      [{ email: 'nope' }, 'email'],
      [{ name: null }, 'name'],
      [{ status: 'deleted' }, 'status'],
      [{ tags: 'vip' }, 'tags'],
    ] as const) {
      const body = await suite.api.rejects(
        'PATCH',
        suite.api.itemPath('customers'),
        { body: patch },
        { status: 422, code: 'validation_failed', object: suite.api.itemPath('customers') },
      );
      assertNames(body, path);
    }
  });

  test('invalid action input is 422 naming the field and runs nothing', async () => {
    const job = suite.api.itemPath('jobs');
    let body = await suite.api.rejects(
      'POST',
      `${job}/schedule`,
      { body: { scheduled_start: '2026-03-01T10:00:00Z', scheduled_end: '2026-03-01T09:00:00Z' } },
      { status: 422, code: 'validation_failed', target: 'jobs', object: job },
    );
    assertNames(body, 'scheduled_end');
    body = await suite.api.rejects(
      'POST',
      `${job}/schedule`,
      { body: { scheduled_start: 'tomorrow', scheduled_end: '2026-03-01T09:00:00Z' } },
      { status: 422, code: 'validation_failed', target: 'jobs', object: job },
    );
    assertNames(body, 'scheduled_start');
    body = await suite.api.rejects(
      'POST',
      `${job}/cancel`,
      { body: { reason: 'no', refund: true } },
      { status: 422, code: 'validation_failed', target: 'jobs', object: job },
    );
    assertNames(body, 'refund');
    body = await suite.api.rejects(
      'POST',
      `${job}/start`,
      { body: { force: true } },
      { status: 422, code: 'validation_failed', target: 'jobs', object: job },
    );
    assertNames(body, 'force');
    body = await suite.api.rejects(
      'POST',
      `${job}/cancel`,
      { body: { reason: 42 } },
      { status: 422, code: 'validation_failed', target: 'jobs', object: job },
    );
    assertNames(body, 'reason');
  });

  test('an action date in year 0000 is 422, not 500 (jobs schedule)', async () => {
    const body = await suite.api.rejects(
      'POST',
      `${suite.api.itemPath('jobs')}/schedule`,
      { body: { scheduled_start: '0000-01-01T09:00:00Z', scheduled_end: '0000-01-01T10:00:00Z' } },
      { status: 422, code: 'validation_failed', target: 'jobs', object: suite.api.itemPath('jobs') },
    );
    assertNames(body, 'scheduled_start');
  });

  test('a bulk request with one bad item is 422 naming the item and creates none of them', async () => {
    const body = await suite.api.rejects(
      'POST',
      '/v1/customers/bulk',
      {
        body: {
          operations: [
            { action: 'create', data: { name: 'Fine Co' } },
            { action: 'create', data: { name: 'Bad Co', email: 'nope' } },
          ],
        },
      },
      { status: 422, code: 'validation_failed' },
    );
    const error = body.errors.find((e: any) => e.index === 1);
    assert.ok(error, `an error carries index 1: ${JSON.stringify(body.errors)}`);
    assert.equal(error.path, 'operations.1.data.email');
    assert.ok(!body.errors.some((e: any) => e.index === 0), 'the valid item has no error');
  });

  test('a bulk request over 100 items is 422', async () => {
    const operations = Array.from({ length: 101 }, (_, i) => ({ action: 'create', data: { name: `Bulk ${i}` } }));
    const body = await suite.api.rejects(
      'POST',
      '/v1/customers/bulk',
      { body: { operations } },
      { status: 422, code: 'validation_failed' },
    );
    assertNames(body, 'operations');
  });
});

describe('text PostgreSQL cannot store', () => {
  test('a NUL character in a string value is 4xx, never 500', async () => {
    let body = await suite.api.rejects(
      'POST',
      '/v1/customers',
      { body: { name: 'Acme\u0000Ltd' } },
      { status: 422, code: 'validation_failed' },
    );
    assertNames(body, 'name');
    body = await suite.api.rejects(
      'POST',
      '/v1/customers',
      { body: { name: 'Acme', address: { city: 'Le\u0000eds' } } },
      { status: 422, code: 'validation_failed' },
    );
    assertNames(body, 'address.city');
    body = await suite.api.rejects(
      'POST',
      '/v1/customers',
      { body: { name: 'Acme', tags: ['ok', 'n\u0000'] } },
      { status: 422, code: 'validation_failed' },
    );
    assertNames(body, 'tags.1');
    body = await suite.api.rejects(
      'PATCH',
      suite.api.itemPath('customers'),
      { body: { notes: '\u0000' } },
      { status: 422, code: 'validation_failed', object: suite.api.itemPath('customers') },
    );
    assertNames(body, 'notes');
    body = await suite.api.rejects(
      'POST',
      `${suite.api.itemPath('jobs')}/cancel`,
      { body: { reason: 'gone\u0000' } },
      { status: 422, code: 'validation_failed', target: 'jobs', object: suite.api.itemPath('jobs') },
    );
    assertNames(body, 'reason');
    body = await suite.api.rejects(
      'POST',
      '/v1/customers/bulk',
      { body: { operations: [{ action: 'create', data: { name: 'N\u0000' } }] } },
      { status: 422, code: 'validation_failed' },
    );
    assert.ok(
      body.errors.some((e: any) => /^operations\.0\.(data\.)?name$/.test(e.path)),
      JSON.stringify(body.errors),
    );
  });

  test('a lone UTF-16 surrogate (\\ud800) in a string value is 4xx, never 500', async () => {
    let body = await suite.api.rejects('POST', '/v1/customers', json('{"name":"Acme \\ud800"}'), {
      status: 422,
      code: 'validation_failed',
    });
    assertNames(body, 'name');
    body = await suite.api.rejects('POST', '/v1/customers', json('{"name":"Acme","address":{"city":"\\udc00"}}'), {
      status: 422,
      code: 'validation_failed',
    });
    assertNames(body, 'address.city');
  });

  test('a NUL character in a query parameter is 400 naming the parameter', async () => {
    for (const [query, parameter] of [
      ['name=Acme%00', 'name'],
      ['name[contains]=a%00', 'name[contains]'],
      ['id=cus_%00', 'id'],
      ['tags=v%00ip', 'tags'],
      ['email[in]=a,b%00', 'email[in]'],
      ['q=acme%00', 'q'],
    ]) {
      const body = await suite.api.rejects('GET', `/v1/customers?${query}`, {}, { status: 400, code: 'bad_request' });
      assertNames(body, parameter);
    }
  });
});

describe('explicit null for every property of every JSON body', () => {
  // The committed document is what clients read: a property it marks nullable takes null (2xx, or a
  // 4xx for another reason), one it does not is 422 naming the property. Never a 5xx.
  const document = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8'));
  const resolve = (schema: any): any =>
    schema?.$ref ? document.components.schemas[schema.$ref.split('/').pop()] : schema;
  const nullable = (schema: any): boolean => {
    const s = resolve(schema);
    return (
      s.type === 'null' ||
      (Array.isArray(s.type) && s.type.includes('null')) ||
      [...(s.anyOf ?? []), ...(s.oneOf ?? [])].some(nullable)
    );
  };
  const bodySchema = (operation: Operation) =>
    resolve(document.paths[operation.path]?.[operation.method]?.requestBody?.content?.['application/json']?.schema);
  /** Sample values of the body's required properties only: the fewer sampled, the fewer refused for another reason. */
  const requiredSample = async (operation: Operation): Promise<Record<string, unknown>> => {
    const schema = bodySchema(operation);
    const sample = sampleFromJsonSchema({ ...schema, properties: pick(schema.properties, schema.required) }, nextN());
    return (await fixtures.withParentIds(sample)) as Record<string, unknown>;
  };
  const pick = (properties: Record<string, unknown>, names: string[] = []) =>
    Object.fromEntries(Object.entries(properties).filter(([name]) => names.includes(name)));

  interface Target {
    operation: Operation;
    path: string;
    /** A valid body but for the property under test (a create's, made anew for each property). */
    body: () => Promise<Record<string, unknown>>;
  }

  async function sendNulls(target: Target, failures: string[]): Promise<{ calls: number; accepted: number }> {
    const schema = bodySchema(target.operation);
    let calls = 0;
    let accepted = 0;
    for (const [name, property] of Object.entries<any>(schema.properties ?? {})) {
      const label = `${target.operation.method.toUpperCase()} ${target.operation.path} ${name}: null`;
      const res = await suite.ctx.call(target.operation.method.toUpperCase(), target.path, {
        key: target.operation.authentication === 'none' ? undefined : account.key,
        body: { ...(await target.body()), [name]: null },
      });
      calls++;
      const answer = `${res.status} ${res.body?.code}: ${res.body?.detail}`;
      if (res.status >= 500) failures.push(`${label} -> ${answer}`);
      else if (!nullable(property)) {
        const named = res.status === 422 && res.body.errors?.some((e: any) => e.path === name);
        if (!named) failures.push(`${label} (not nullable) -> ${answer}`);
      } else if (res.status < 300) accepted++;
      else if (res.body?.errors?.some((e: any) => e.path === name && e.message === 'must not be null'))
        failures.push(`${label} (documented nullable) -> ${answer}`);
    }
    return { calls, accepted };
  }

  let account: TestAccount;
  let fixtures: Fixtures;
  // Samples differ per object (one technician's schedule blocks never overlap); n % 3 = 0 leaves optional links out.
  let n = 1;
  const nextN = () => (++n % 3 === 0 ? ++n : n);
  // OAuth protocol endpoints (dynamic registration) answer their RFCs' errors, not problem details: their own tests.
  const operations = (kinds: string[], authentications = ['credential']) =>
    suite.ctx.api.operations.filter(
      (o) =>
        kinds.includes(o.kind) &&
        authentications.includes(o.authentication) &&
        !o.path.startsWith('/v1/auth/oauth2/') &&
        bodySchema(o)?.properties,
    );
  /** A fresh object of the collection, or for one the API does not create, one that exists (else an unused id). */
  async function objectOf(collection: string): Promise<string> {
    const resource = suite.ctx.registry.get(collection);
    if (resource.operations.has('create')) return (await fixtures.create(resource, nextN())).id;
    const listed = await suite.ctx.call('GET', `/v1/${collection}?limit=1`, { key: account.key });
    return listed.body.data?.[0]?.id ?? `${resource.idPrefix}_${UNUSED_ULID}`;
  }

  before(async () => {
    account = await suite.ctx.newAccount('Null Co', { plan: 'enterprise' });
    fixtures = new Fixtures(suite.ctx, account);
  });

  test('every create, bulk, update and action: 422 at the property unless nullable, never 5xx', async (t) => {
    const failures: string[] = [];
    const totals = { operations: 0, calls: 0, accepted: 0 };
    for (const operation of operations(['create', 'bulk', 'update', 'action'])) {
      const resource = suite.ctx.registry.get(operation.collection!);
      const path = operation.path.includes('{id}')
        ? operation.path.replace('{id}', await objectOf(resource.collection))
        : operation.path;
      const sample = await requiredSample(operation);
      const body = async () => (operation.kind === 'create' ? fixtures.body(resource, nextN()) : sample);
      const { calls, accepted } = await sendNulls({ operation, path, body }, failures);
      totals.operations++;
      totals.calls += calls;
      totals.accepted += accepted;
    }
    t.diagnostic(JSON.stringify(totals));
    assert.ok(!failures.length, `${failures.length} of ${totals.calls} calls:\n${failures.join('\n')}`);
    assert.ok(totals.operations > 150 && totals.accepted > 50, JSON.stringify(totals));
  });

  test('every custom operation taking a JSON body with a credential or none: the same', async (t) => {
    // An OAuth app is not a resource: one made here, so its PATCH reaches the row.
    const app = await suite.ctx.call('POST', '/v1/oauth/clients', {
      key: account.key,
      body: { name: 'Null App', scopes: ['read:customers'], redirect_uris: ['https://app.example/callback'] },
    });
    assert.equal(app.status, 201, app.text);
    const failures: string[] = [];
    const totals = { operations: 0, calls: 0, accepted: 0 };
    for (const operation of operations(['custom'], ['credential', 'none'])) {
      const collection = operation.path.split('/')[2];
      let id: string = UNUSED_ULID;
      if (operation.path.startsWith('/v1/oauth/clients/{id}')) id = app.body.data.id;
      else if (suite.ctx.registry.resources.some((r) => r.collection === collection)) id = await objectOf(collection);
      const sample = await requiredSample(operation);
      const { calls, accepted } = await sendNulls(
        { operation, path: operation.path.replace('{id}', id), body: async () => sample },
        failures,
      );
      totals.operations++;
      totals.calls += calls;
      totals.accepted += accepted;
    }
    t.diagnostic(JSON.stringify(totals));
    assert.ok(!failures.length, `${failures.length} of ${totals.calls} calls:\n${failures.join('\n')}`);
    assert.ok(totals.operations > 20, JSON.stringify(totals));
  });
});
