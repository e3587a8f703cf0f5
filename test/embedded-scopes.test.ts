// One resource's data never reaches a caller through another without its own read scope: an
// event carries its object, so a key sees the events of the collections it may read (lists and
// single events); a webhook endpoint receives only what its saver could read. `expand`
// is covered for every relation in bad-input-requests.test.ts, the stream in event-stream.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';

let t: TestContext;
let account: TestAccount;
let customerEvent: string;
let jobEvent: string;

before(async () => {
  t = await createTestContext({ webhooks: { allowPrivate: true } });
  account = await t.newAccount('Scoped Co');
  const customer = await t.call('POST', '/v1/customers', { key: account.key, body: { name: 'Private Person' } });
  const job = await t.call('POST', '/v1/jobs', {
    key: account.key,
    body: { title: 'Fix the boiler', customer_id: customer.body.data.id },
  });
  assert.equal(job.status, 201, job.text);
  const events = (await t.call('GET', '/v1/events?limit=100', { key: account.key })).body.data as any[];
  customerEvent = events.find((e) => e.type === 'customer.created').id;
  jobEvent = events.find((e) => e.type === 'job.created').id;
});
after(() => t.close());

test('a key with read:events and read:jobs reads job events, never customer events', async () => {
  const narrow = await t.newKey(account.id, ['read:events', 'read:jobs']);
  const listed = await t.call('GET', '/v1/events?limit=100&count=true', { key: narrow });
  assert.equal(listed.status, 200, listed.text);
  const types = (listed.body.data as any[]).map((e) => e.type as string);
  assert.ok(types.includes('job.created'));
  assert.ok(!types.some((type) => type.startsWith('customer.')), types.join(', '));
  assert.equal(listed.body.page.total, types.length);
  const asked = await t.call('GET', '/v1/events?type=customer.created', { key: narrow });
  assert.deepEqual(asked.body.data, [], 'filtering for them finds none');
  assertProblem(await t.call('GET', `/v1/events/${customerEvent}`, { key: narrow }), 404, 'not_found');
  assert.equal((await t.call('GET', `/v1/events/${jobEvent}`, { key: narrow })).status, 200);

  const wide = await t.newKey(account.id, ['read:events', 'read:jobs', 'read:customers']);
  assert.equal((await t.call('GET', `/v1/events/${customerEvent}`, { key: wide })).status, 200);
});

test('a webhook endpoint receives only what its saver may read', async () => {
  const narrow = await t.newKey(account.id, ['write:webhook-endpoints', 'read:webhook-endpoints', 'read:jobs']);
  const endpoint = (enabled_events: string[]) =>
    t.call('POST', '/v1/webhook-endpoints', {
      key: narrow,
      body: { url: 'http://127.0.0.1:9/hook', enabled_events },
    });
  const before = (await t.call('GET', '/v1/webhook-endpoints?count=true', { key: account.key })).body.page.total;
  for (const events of [['customer.created'], ['job.created', 'customer.deleted'], ['*']]) {
    const refused = assertProblem(await endpoint(events), 403, 'insufficient_scope');
    if (events[0] === '*') assert.match(refused.required_scope, /^read:(?!jobs$)/, 'the first it lacks');
    else assert.equal(refused.required_scope, 'read:customers');
  }
  const after = (await t.call('GET', '/v1/webhook-endpoints?count=true', { key: account.key })).body.page.total;
  assert.equal(after, before, 'nothing saved');
  const allowed = await endpoint(['job.created', 'job.completed']);
  assert.equal(allowed.status, 201, allowed.text);
  // Widening it later is judged the same way.
  const widened = await t.call('PATCH', `/v1/webhook-endpoints/${allowed.body.data.id}`, {
    key: narrow,
    body: { enabled_events: ['job.created', 'customer.created'] },
  });
  assert.equal(assertProblem(widened, 403, 'insufficient_scope').required_scope, 'read:customers');
  // The account's own key reads everything: it may subscribe to everything.
  const everything = await t.call('POST', '/v1/webhook-endpoints', {
    key: account.key,
    body: { url: 'http://127.0.0.1:9/all', enabled_events: ['*'] },
  });
  assert.equal(everything.status, 201, everything.text);
});
