// Tenancy matrix, generated from the route table: with account A's key, every route that
// names account B's object answers 404 and changes nothing; lists and exports never leak;
// and row-level security holds even for SQL that forgets the account filter.
import { multipartBody, TINY_PNG } from './support/uploads.ts';
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AutomationEngine } from '../src/automation/automation-engine.ts';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { Fixtures, sampleFromJsonSchema, sampleValue } from './support/fixtures.ts';
import { saveConnected } from '../src/integrations/integration-rows.ts';
import { queueSync } from '../src/integrations/sync-runner.ts';
import { gmailConnector } from '../src/integrations/google/gmail-connector.ts';
import { toJsonSchema } from '../src/platform/openapi/json-schema.ts';
import { actionInputSchema } from '../src/platform/operations/run-action.ts';
import { tenantBatch, withTenantTransaction } from '../src/db/tenant-transaction.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { fieldlineApi } from '../src/main.ts';
import { generatedOperations, type GeneratedOperation } from './support/generated-operations.ts';
import { inTenancyMatrix } from '../src/platform/api/test-matrices.ts';
import { alertEvaluator, requestLogWriter } from '../src/analytics/analytics-services.ts';

const ctxReady = createTestContext();
let ctx: TestContext;
let a: TestAccount;
let b: TestAccount;
/** One object per collection in account B (events, request logs and alerts included: B's activity wrote some). */
const objectsOfB = new Map<string, Record<string, any>>();
const objectsOfA = new Map<string, Record<string, any>>();

before(async () => {
  ctx = await ctxReady;
  a = await ctx.newAccount('Tenant A');
  b = await ctx.newAccount('Tenant B');
  for (const [account, store] of [
    [a, objectsOfA],
    [b, objectsOfB],
  ] as const) {
    const fixtures = new Fixtures(ctx, account);
    for (const resource of ctx.registry.resources.filter((r) => r.operations.has('create'))) {
      store.set(resource.collection, await fixtures.create(resource, 1));
    }
    const events = await ctx.call('GET', '/v1/events?limit=1', { key: account.key });
    store.set('events', events.body.data[0]);
    // A test delivery to the fixture endpoint (a closed local port) writes a delivery log entry.
    const tested = await ctx.call('POST', `/v1/webhook-endpoints/${store.get('webhook-endpoints')!.id}/test`, {
      key: account.key,
    });
    assert.equal(tested.status, 200, tested.text);
    store.set('webhook-deliveries', tested.body.data);
    // An unsigned post to the fixture inbound source is refused, and logged in the account's inbound log.
    const inbound = await ctx.call('POST', store.get('inbound-sources')!.url_path, { body: { type: 'call.started' } });
    assert.equal(inbound.status, 400, inbound.text);
    store.set(
      'inbound-requests',
      (await ctx.call('GET', '/v1/inbound-requests?limit=1', { key: account.key })).body.data[0],
    );
    // A customer created after the fixture rule (on customer.created) starts one of its runs.
    await ctx.call('POST', '/v1/customers', { key: account.key, body: { name: 'Sample 1 for a rule' } });
    await new AutomationEngine(ctx.runtime, ctx.runtime.logger, { accountIds: [account.id] }).round();
    store.set(
      'automation-runs',
      (await ctx.call('GET', '/v1/automation-runs?limit=1', { key: account.key })).body.data[0],
    );
    // A policy holding this payment's refund makes a pending approval of it.
    const payment = store.get('payments')!;
    const policy = await ctx.call('POST', '/v1/approval-policies', {
      key: account.key,
      body: {
        name: 'This refund',
        collection: 'payments',
        action: 'refund',
        conditions: { field: 'object.id', op: 'eq', value: payment.id },
        approver_roles: ['admin'],
      },
    });
    assert.equal(policy.status, 201, policy.text);
    const held = await ctx.call('POST', `/v1/payments/${payment.id}/refund`, { key: account.key, body: {} });
    assert.equal(held.status, 202, held.text);
    store.set('approvals', held.body.data);
    // A stock adjustment writes a movement to the ledger.
    const adjusted = await ctx.call('POST', `/v1/inventory-items/${store.get('inventory-items')!.id}/adjust`, {
      key: account.key,
      body: { quantity: 5, reason: 'count' },
    });
    assert.equal(adjusted.status, 200, adjusted.text);
    store.set(
      'inventory-movements',
      (await ctx.call('GET', '/v1/inventory-movements?limit=1', { key: account.key })).body.data[0],
    );
    // Sending an invoice mails it, and the delivery log records the mail.
    const invoice = await ctx.call('POST', '/v1/invoices', {
      key: account.key,
      body: {
        customer_id: store.get('customers')!.id,
        line_items: [{ description: 'Visit', quantity: 1, unit_amount: 100 }],
      },
    });
    const sent = await ctx.call('POST', `/v1/invoices/${invoice.body.data.id}/send`, {
      key: account.key,
      body: { to: ['billing@example.test'] },
    });
    assert.equal(sent.status, 200, sent.text);
    store.set('deliveries', (await ctx.call('GET', '/v1/deliveries?limit=1', { key: account.key })).body.data[0]);
    // A voice command is given, not created: a question logs one (its reads run as the key).
    const spoken = await ctx.call('POST', '/v1/voice-commands', {
      key: account.key,
      body: { text: 'find customer Sample' },
    });
    assert.equal(spoken.status, 201, spoken.text);
    store.set('voice-commands', spoken.body.data);
    // Photos and signatures are uploads to a job.
    for (const [collection, segment, fields] of [
      ['job-photos', 'photos', {}],
      ['job-signatures', 'signatures', { signer_name: 'Ada' }],
    ] as const) {
      const uploaded = await ctx.call('POST', `/v1/jobs/${store.get('jobs')!.id}/${segment}`, {
        key: account.key,
        ...(await multipartBody(fields, { bytes: TINY_PNG })),
      });
      assert.equal(uploaded.status, 200, uploaded.text);
      store.set(collection, uploaded.body.data);
    }
  }
  // The audit trail is written by every change: the fixtures above made entries in each account.
  for (const [account, store] of [
    [a, objectsOfA],
    [b, objectsOfB],
  ] as const) {
    const entries = await ctx.call('GET', '/v1/audit-log?limit=1', { key: account.key });
    assert.equal(entries.body.data.length, 1, entries.text);
    store.set('audit-log', entries.body.data[0]);
  }
  // An integration is made by a provider's consent and its sync runs by the runner: written as they would be.
  for (const [account, store] of [
    [a, objectsOfA],
    [b, objectsOfB],
  ] as const) {
    const connection = { identity: 'office@example.test', externalAccountId: null, scopes: [], connectedBy: 'test' };
    const integration = await saveConnected(ctx.db, account.id, 'gmail', connection);
    const run = await queueSync(ctx.runtime, account.id, integration.id, gmailConnector, 'mail');
    await systemQuery(ctx.db, {
      sql: `UPDATE integration_syncs SET status = 'succeeded', finished_at = now() WHERE id = $1`,
      parameters: [run.id],
    });
    for (const [collection, id] of [
      ['integrations', integration.id],
      ['integration-syncs', run.id],
    ])
      store.set(collection, (await ctx.call('GET', `/v1/${collection}/${id}`, { key: account.key })).body.data);
  }
  // The requests above are in the request log once the writer has flushed them.
  await ctx.runtime.use(requestLogWriter).flush();
  // Alerts are written by the evaluator: a rule at threshold 0 fires on its first round.
  for (const account of [a, b]) {
    const rule = await ctx.call('POST', '/v1/alert-rules', {
      key: account.key,
      body: { name: 'Always', metric: 'rate_limited', threshold: 0 },
    });
    assert.equal(rule.status, 201, rule.text);
  }
  // null: another suite's node held this round
  while (!(await ctx.runtime.use(alertEvaluator).evaluate({ accountIds: [a.id, b.id] })));
  for (const [account, store] of [
    [a, objectsOfA],
    [b, objectsOfB],
  ] as const) {
    const logs = await ctx.call('GET', '/v1/request-logs?limit=1', { key: account.key });
    store.set('request-logs', logs.body.data[0]);
    const alerts = await ctx.call('GET', '/v1/alerts?limit=1', { key: account.key });
    store.set('alerts', alerts.body.data[0]);
  }
});
after(async () => (await ctxReady).close());

function bodyFor(route: GeneratedOperation): unknown {
  if (route.kind === 'update') {
    const [name, spec] = Object.entries(route.resource.fields).find(
      ([, s]) => s.access === 'writable' && !s.ref && s.kind !== 'json',
    )!;
    return { [name]: sampleValue(spec, 2) };
  }
  if (route.kind === 'action')
    return sampleFromJsonSchema(toJsonSchema(actionInputSchema(route.resource.actions[route.action!])));
  return undefined;
}

const routeTable = generatedOperations(fieldlineApi());
const endpointsWithIds = fieldlineApi().operations.filter((o) => o.kind === 'custom' && inTenancyMatrix(o));

describe("another account's object is unreachable on every route", () => {
  for (const route of routeTable.filter((r) => r.path.includes('{id}'))) {
    test(
      `${route.method.toUpperCase()} ${route.path} ` + `with another account's id is 404 and changes nothing`,
      async () => {
        const owner = route.parent ?? route.resource; // `{id}` of a nested list is its parent's
        const theirs = objectsOfB.get(owner.collection)!;
        const before = await ctx.call('GET', `/v1/${owner.collection}/${theirs.id}`, { key: b.key });
        const response = await ctx.call(route.method.toUpperCase(), route.path.replace('{id}', theirs.id), {
          key: a.key,
          body: bodyFor(route),
        });
        assert.equal(response.status, 404, response.text);
        assert.equal(response.body.code, 'not_found');
        const afterwards = await ctx.call('GET', `/v1/${owner.collection}/${theirs.id}`, { key: b.key });
        assert.deepEqual(afterwards.body, before.body);
      },
    );
  }

  for (const endpoint of endpointsWithIds) {
    test(
      `${endpoint.method.toUpperCase()} ${endpoint.path} ` + `with another account's id is 404 and changes nothing`,
      async () => {
        const prefix = endpoint.params!.id.pattern!.slice(1);
        const [collection, theirs] = [...objectsOfB].find(([, object]) => object.id.startsWith(prefix))!;
        const before = await ctx.call('GET', `/v1/${collection}/${theirs.id}`, { key: b.key });
        const path = endpoint.path.replace('{id}', theirs.id).replace(/\{\w+\}/g, 'x');
        const spec = endpoint.body;
        const schema = spec && 'json' in spec ? spec.json : spec && 'upload' in spec ? spec.fields : undefined;
        const sample = schema ? (sampleFromJsonSchema(toJsonSchema(schema)) as Record<string, string>) : undefined;
        const body =
          spec && 'upload' in spec ? await multipartBody(sample ?? {}, { bytes: TINY_PNG }) : { body: sample };
        const response = await ctx.call(endpoint.method.toUpperCase(), path, { key: a.key, ...body });
        assert.equal(response.status, 404, response.text);
        assert.equal(response.body.code, 'not_found');
        assert.deepEqual((await ctx.call('GET', `/v1/${collection}/${theirs.id}`, { key: b.key })).body, before.body);
      },
    );
  }

  for (const route of routeTable.filter((r) => (r.kind === 'list' && !r.parent) || r.kind === 'export')) {
    test(`${route.method.toUpperCase()} ${route.path} never lists another account's objects`, async () => {
      const theirs = objectsOfB.get(route.resource.collection)!;
      const format = route.kind === 'export' ? 'format=json&' : 'limit=100&';
      const all = await ctx.call('GET', `${route.path}?${format}`, { key: a.key });
      const rows = route.kind === 'export' ? all.body : all.body.data;
      assert.ok(rows.length > 0, 'account A has objects of its own');
      assert.ok(!rows.some((o: { id: string }) => o.id === theirs.id));
      const byId = await ctx.call('GET', `${route.path}?${format}id=${theirs.id}`, { key: a.key });
      assert.deepEqual(route.kind === 'export' ? byId.body : byId.body.data, []);
    });
  }

  for (const route of routeTable.filter((r) => r.kind === 'bulk')) {
    test(`${route.path} cannot update or delete another account's object`, async () => {
      const theirs = objectsOfB.get(route.resource.collection)!;
      const before = await ctx.call('GET', `/v1/${route.resource.collection}/${theirs.id}`, { key: b.key });
      const items = [
        ...(route.resource.operations.has('update')
          ? [{ action: 'update', id: theirs.id, data: bodyFor({ ...route, kind: 'update' }) }]
          : []),
        ...(route.resource.operations.has('delete') ? [{ action: 'delete', id: theirs.id }] : []),
      ];
      for (const item of items) {
        const response = await ctx.call('POST', route.path, { key: a.key, body: { operations: [item] } });
        assert.equal(response.status, 404, response.text);
      }
      assert.deepEqual(
        (await ctx.call('GET', `/v1/${route.resource.collection}/${theirs.id}`, { key: b.key })).body,
        before.body,
      );
    });
  }

  for (const route of routeTable.filter((r) => r.kind === 'create')) {
    const refs = Object.entries(route.resource.fields).filter(([, spec]) => spec.ref && spec.access !== 'readOnly');
    for (const [name, spec] of refs) {
      test(`${route.path} cannot reference another account's ${spec.ref!.collection} through ${name}`, async () => {
        const body = await new Fixtures(ctx, a).body(route.resource, 1);
        body[name] = objectsOfB.get(spec.ref!.collection)!.id;
        const response = await ctx.call('POST', route.path, { key: a.key, body });
        assert.ok([404, 409, 422].includes(response.status), response.text);
        assert.ok(
          !response.text.includes(objectsOfB.get(spec.ref!.collection)!.created_at),
          'no detail of the other account leaks',
        );
      });
    }
  }
});

describe('row-level security is a second wall under the application', () => {
  const tables = () => [...ctx.registry.resources.map((r) => r.table), 'api_keys'];

  test("a query that forgets the account filter still sees only the tenant's rows, on every tenant table", async () => {
    for (const table of tables()) {
      const [others] = await tenantBatch(ctx.db, a.id, [
        { sql: `SELECT count(*)::int AS n FROM ${table} WHERE account_id = $1`, parameters: [b.id] },
      ]);
      assert.equal(others[0].n, 0, `${table}: account A saw account B's rows`);
      const [mine] = await tenantBatch(ctx.db, a.id, [
        { sql: `SELECT DISTINCT account_id FROM ${table}`, parameters: [] },
      ]);
      assert.deepEqual(
        mine.map((row) => row.account_id),
        [a.id],
        `${table}: rows of exactly one account are visible`,
      );
      const [all] = await systemQuery(ctx.db, {
        sql: `SELECT count(*)::int AS n FROM ${table} WHERE account_id = $1`,
        parameters: [b.id],
      }).then((rows) => [rows]);
      assert.ok(all[0].n > 0, `${table}: account B does have rows`);
    }
    const [accounts] = await tenantBatch(ctx.db, a.id, [{ sql: 'SELECT id FROM accounts', parameters: [] }]);
    assert.deepEqual(
      accounts.map((row) => row.id),
      [a.id],
    );
  });

  test('a write that names another account is refused by the policy', async () => {
    await assert.rejects(
      withTenantTransaction(ctx.db, a.id, (tx) =>
        tx
          .query({
            sql: `UPDATE customers SET name = 'hijacked' WHERE account_id = $1 RETURNING id`,
            parameters: [b.id],
          })
          .then((rows) => {
            assert.equal(rows.length, 0);
            throw new Error('no row was visible to update');
          }),
      ),
      /no row was visible/,
    );
    await assert.rejects(
      withTenantTransaction(ctx.db, a.id, (tx) =>
        tx.query({
          sql: `INSERT INTO customers (id, account_id, name, tags, status, created_at, updated_at)
                VALUES ('cus_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB', $1, 'x', '{}', 'active', now(), now())`,
          parameters: [b.id],
        }),
      ),
      (error: { code?: string }) => error.code === '42501',
    );
  });

  test('the tenant role is not a superuser and cannot bypass RLS', async () => {
    const [[role]] = await tenantBatch(ctx.db, a.id, [
      {
        sql: 'SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user',
        parameters: [],
      },
    ]);
    assert.deepEqual(role, { name: 'fieldline_tenant', rolsuper: false, rolbypassrls: false });
  });
});
