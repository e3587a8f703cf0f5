// REST Hooks as Zapier uses them: subscribe a target (a receiver on 127.0.0.1, which the test
// server allows) to one event type, receive signed deliveries of the webhook system, unsubscribe
// and receive nothing more; poll the latest events; test the connection. Refusals: a private
// network target (on a server that does not allow them), an unknown event type, another account's hook.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { assertNames, assertProblem } from './support/problem-assertions.ts';
import { webhookDelivery } from '../src/webhooks/webhook-service.ts';
import { API_VERSION } from '../src/platform/openapi/build-openapi.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local target that answers 200 and keeps every request. */
async function startTarget() {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/zapier/hook`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let ctx: TestContext;
let account: TestAccount;
let target: Awaited<ReturnType<typeof startTarget>>;
before(async () => {
  // 5 s: the target runs in this process, so a busy event loop delays its answer (webhooks.test.ts).
  ctx = await createTestContext({ webhooks: { allowPrivate: true, timeoutMs: 5_000 } });
  target = await startTarget();
});
beforeEach(async () => {
  account = await ctx.newAccount('Hooks Co');
  target.received.length = 0;
});
after(async () => {
  await target.close();
  await ctx.close();
});

const { call, created } = accountClient(
  () => ctx,
  () => account,
);
const drain = () => ctx.runtime.use(webhookDelivery).drain({ accountIds: [account.id] });

/** Until the target has `count` requests (its handler may run after the sender's round ended). */
async function received(count: number) {
  for (let waited = 0; target.received.length < count && waited < 5_000; waited += 50)
    await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(target.received.length, count);
}

function verified(delivery: Received, secret: string) {
  const headers = {
    'webhook-id': String(delivery.headers['webhook-id']),
    'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
    'webhook-signature': String(delivery.headers['webhook-signature']),
  };
  return new Webhook(secret).verify(delivery.body, headers) as any;
}

describe('REST hooks', () => {
  test('subscribe, get a signed delivery, show in the webhook logs, unsubscribe, get nothing more', async () => {
    const subscribed = await call('POST', '/v1/hooks', { target_url: target.url, event: 'customer.created' });
    assert.equal(subscribed.status, 201, subscribed.text);
    const hook = subscribed.body.data;
    assert.match(hook.id, /^hook_/);
    assert.equal(subscribed.headers.get('location'), `/v1/hooks/${hook.id}`);
    assert.deepEqual([hook.object, hook.event, hook.target_url], ['rest_hook', 'customer.created', target.url]);
    assert.match(hook.secret, /^whsec_/);

    // An ordinary webhook endpoint of one event type, marked as the subscription's.
    const endpoint = (await call('GET', `/v1/webhook-endpoints/${hook.webhook_endpoint_id}`)).body.data;
    assert.deepEqual(endpoint.enabled_events, ['customer.created']);
    assert.equal(endpoint.url, target.url);
    assert.match(endpoint.description, new RegExp(`REST hook subscription ${hook.id}`));
    const listed = await call('GET', '/v1/hooks');
    assert.deepEqual(
      listed.body.data.map((h: any) => h.id),
      [hook.id],
    );

    const customer = await created('customers', { name: 'Ada Lovelace' });
    await created('jobs', { title: 'Not subscribed', customer_id: customer.id });
    assert.equal(await drain(), 1, 'customer.created only');
    await received(1);
    const event = verified(target.received[0], hook.secret);
    assert.equal(event.type, 'customer.created');
    assert.equal(event.data.object.id, customer.id);
    const log = await call('GET', `/v1/webhook-deliveries?endpoint=${hook.webhook_endpoint_id}`);
    assert.equal(log.status, 200, log.text);
    assert.equal(log.body.data.length, 1);
    assert.equal(log.body.data[0].event, event.id);

    const gone = await call('DELETE', `/v1/hooks/${hook.id}`);
    assert.equal(gone.status, 200, gone.text);
    assert.deepEqual(gone.body.data, { id: hook.id, object: 'rest_hook', deleted: true });
    assertProblem(await call('GET', `/v1/webhook-endpoints/${hook.webhook_endpoint_id}`), 404, 'not_found');
    assert.deepEqual((await call('GET', '/v1/hooks')).body.data, []);
    await created('customers', { name: 'Grace Hopper' });
    assert.equal(await drain(), 0);
    assert.equal(target.received.length, 1, 'nothing more is delivered');
    assertProblem(await call('DELETE', `/v1/hooks/${hook.id}`), 404, 'not_found');
  });

  test('an unknown or unsubscribable event type is a 422 at event; nothing is made', async () => {
    for (const event of ['customer.exploded', '*', 'webhook.test']) {
      const body = assertProblem(
        await call('POST', '/v1/hooks', { target_url: target.url, event }),
        422,
        'validation_failed',
      );
      assertNames(body, 'event');
    }
    assertNames(
      assertProblem(await call('POST', '/v1/hooks', { target_url: target.url }), 422, 'validation_failed'),
      'event',
    );
    assert.deepEqual((await call('GET', '/v1/webhook-endpoints')).body.data, []);
  });

  test("another account's hook is a 404 and stays subscribed", async () => {
    const mine = await created('hooks', { target_url: target.url, event: 'customer.created' });
    const other = await ctx.newAccount('Other Co');
    assertProblem(await call('DELETE', `/v1/hooks/${mine.id}`, undefined, other.key), 404, 'not_found');
    assertProblem(
      await call('DELETE', '/v1/hooks/hook_01ARZ3NDEKTSV4RRFFQ69G5FAV', undefined, other.key),
      404,
      'not_found',
    );
    assert.deepEqual((await call('GET', '/v1/hooks', undefined, other.key)).body.data, []);
    await created('customers', { name: 'Still delivered' });
    assert.equal(await drain(), 1);
  });

  test('the webhook scopes apply: read-only keys cannot subscribe; a hook needs to read its objects', async () => {
    const reader = await ctx.newKey(account.id, ['read:webhook-endpoints']);
    assertProblem(
      await call('POST', '/v1/hooks', { target_url: target.url, event: 'customer.created' }, reader),
      403,
      'insufficient_scope',
    );
    const noCustomers = await ctx.newKey(account.id, ['write:webhook-endpoints', 'read:jobs']);
    assertProblem(
      await call('POST', '/v1/hooks', { target_url: target.url, event: 'customer.created' }, noCustomers),
      403,
      'insufficient_scope',
    );
    const jobs = await call('POST', '/v1/hooks', { target_url: target.url, event: 'job.created' }, noCustomers);
    assert.equal(jobs.status, 201, jobs.text);
  });
});

describe('the target policy', () => {
  test('a server that does not allow private networks refuses a loopback target at target_url', async () => {
    const strict = await createTestContext({ webhooks: { allowPrivate: false } });
    try {
      const owner = await strict.newAccount('Strict Co');
      for (const url of [target.url, 'https://127.0.0.1/hook', 'https://10.1.2.3/hook', 'https://169.254.169.254/']) {
        const res = await strict.call('POST', '/v1/hooks', {
          key: owner.key,
          body: { target_url: url, event: 'customer.created' },
        });
        const body = assertProblem(res, 422, 'validation_failed');
        assertNames(body, 'target_url');
        assert.match(body.detail, /^target_url: /);
      }
      const none = await strict.call('GET', '/v1/webhook-endpoints', { key: owner.key });
      assert.deepEqual(none.body.data, []);
    } finally {
      await strict.close();
    }
  });
});

describe('polling and the connection test', () => {
  test('the latest events of a type, newest first, in the shape a webhook delivers', async () => {
    const first = await created('customers', { name: 'First' });
    const second = await created('customers', { name: 'Second' });
    await call('PATCH', `/v1/customers/${first.id}`, { name: 'First, renamed' });

    const polled = await call('GET', '/v1/hooks/poll/customer.created');
    assert.equal(polled.status, 200, polled.text);
    assert.deepEqual(
      polled.body.data.map((e: any) => e.data.object.id),
      [second.id, first.id],
    );
    const [latest] = polled.body.data;
    assert.deepEqual(Object.keys(latest), ['id', 'object', 'type', 'api_version', 'created_at', 'data']);
    assert.deepEqual([latest.object, latest.type, latest.api_version], ['event', 'customer.created', API_VERSION]);
    // The same as the event log's own copy.
    const logged = (await call('GET', `/v1/events/${latest.id}`)).body.data;
    assert.deepEqual(latest.data, logged.data);

    const one = await call('GET', '/v1/hooks/poll/customer.created?limit=1');
    assert.deepEqual(
      one.body.data.map((e: any) => e.data.object.id),
      [second.id],
    );
    const updated = await call('GET', '/v1/hooks/poll/customer.updated');
    assert.equal(updated.body.data[0].data.previous_attributes.name, 'First');

    assertNames(
      assertProblem(await call('GET', '/v1/hooks/poll/customer.exploded'), 422, 'validation_failed'),
      'event_type',
    );
    assertProblem(await call('GET', '/v1/hooks/poll/customer.created?limit=500'), 400, 'bad_request');
    const eventsOnly = await ctx.newKey(account.id, ['read:events']);
    assertProblem(
      await call('GET', '/v1/hooks/poll/customer.created', undefined, eventsOnly),
      403,
      'insufficient_scope',
    );
    // Another account's events are never polled.
    const other = await ctx.newAccount('Other Co');
    assert.deepEqual((await call('GET', '/v1/hooks/poll/customer.created', undefined, other.key)).body.data, []);
  });

  test('GET /v1/hooks/me names the account and the credential, for any valid key', async () => {
    const key = await ctx.newKey(account.id, ['read:customers']);
    const me = await call('GET', '/v1/hooks/me', undefined, key);
    assert.equal(me.status, 200, me.text);
    const { data } = me.body;
    assert.deepEqual(data.account, { id: account.id, name: 'Hooks Co', plan: data.account.plan });
    assert.equal(data.credential.type, 'api_key');
    assert.match(data.credential.id, /^key_/);
    assert.equal(data.credential.name, 'test key');
    assert.deepEqual(data.credential.scopes, ['read:customers']);
    assert.equal(data.label, 'Hooks Co (test key)');
    assertProblem(await ctx.call('GET', '/v1/hooks/me'), 401, 'unauthenticated');
    assertProblem(await call('GET', '/v1/hooks/me', undefined, 'fl_test_nonsense'), 401, 'unauthenticated');
  });
});
