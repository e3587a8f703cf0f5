// GET /v1/events/stream: Server-Sent Events of the account's events, told of new ones by
// PostgreSQL NOTIFY, resumable with Last-Event-ID.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_STREAMS_PER_ACCOUNT } from '../src/realtime/event-stream-hub.ts';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { eventStreams } from '../src/realtime/event-stream-operation.ts';
import { readFrames, type Frame } from './support/sse-frames.ts';

let ctx: TestContext;
let account: TestAccount;
let other: TestAccount;

before(async () => {
  ctx = await createTestContext();
  await ctx.runtime.use(eventStreams).start();
  account = await ctx.newAccount('Streaming Co');
  other = await ctx.newAccount('Other Co');
});
after(async () => {
  await ctx.runtime.use(eventStreams).stop();
  await ctx.close();
});

/** Opens a stream and collects its event frames. */
async function openStream(key: string, { query = '', lastEventId }: { query?: string; lastEventId?: string } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  const response = await ctx.app.request(`/v1/events/stream${query}`, { headers });
  const frames: Frame[] = [];
  if (response.status !== 200)
    return { response, frames, next: async () => frames, ended: Promise.resolve(), close: async () => {} };
  const reader = response.body!.getReader();
  const pump = readFrames(response.body!, frames, undefined, reader);
  /** Resolves once `count` frames have arrived (or fails after 5 s). */
  const next = async (count: number) => {
    for (let waited = 0; frames.length < count; waited += 10) {
      if (waited > 5000)
        assert.fail(`expected ${count} events, got ${frames.length}: ${frames.map((f) => f.event).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return frames;
  };
  return {
    response,
    frames,
    next,
    ended: pump,
    close: async () => {
      await reader.cancel();
      await pump;
    },
  };
}

const createCustomer = async (key: string, name: string) =>
  (await ctx.call('POST', '/v1/customers', { key, body: { name } })).body.data;

test('a change made after connecting arrives as an SSE frame: id, type, and the event object', async () => {
  const stream = await openStream(account.key);
  assert.equal(stream.response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  assert.equal(stream.response.headers.get('cache-control'), 'no-cache');
  const customer = await createCustomer(account.key, 'Live Ltd');
  const [frame] = await stream.next(1);
  assert.equal(frame.event, 'customer.created');
  assert.equal(frame.data.object, 'event');
  assert.equal(frame.data.id, frame.id);
  assert.equal(frame.data.data.object.id, customer.id);
  const stored = await ctx.call('GET', `/v1/events/${frame.id}`, { key: account.key });
  assert.deepEqual(stored.body.data.data, frame.data.data);
  await stream.close();
});

test('without Last-Event-ID the stream starts now: events committed before it opened are never sent', async () => {
  const quiet = await ctx.newAccount('Quiet Co');
  for (const name of ['Old 1', 'Old 2', 'Old 3']) await createCustomer(quiet.key, name);
  const stream = await openStream(quiet.key);
  await ctx.runtime.use(eventStreams).poll();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(stream.frames, [], 'no event from before the stream opened');
  const fresh = await createCustomer(quiet.key, 'New');
  const [frame] = await stream.next(1);
  assert.equal(frame.data.data.object.id, fresh.id);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(stream.frames.length, 1);
  await stream.close();
});

test("types= narrows the stream; another account's events never appear", async () => {
  const stream = await openStream(account.key, { query: '?types=customer.updated' });
  const customer = await createCustomer(account.key, 'Filter Inc');
  await createCustomer(other.key, 'Not Yours');
  await ctx.call('PATCH', `/v1/customers/${customer.id}`, { key: account.key, body: { name: 'Filter Incorporated' } });
  const [frame] = await stream.next(1);
  assert.equal(frame.event, 'customer.updated');
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(stream.frames.length, 1);
  await stream.close();
});

test('a narrow key streams only the events of what it may read, and cannot ask for the others', async () => {
  const narrow = await ctx.newKey(account.id, ['read:events', 'read:jobs']);
  const refused = await openStream(narrow, { query: '?types=customer.created' });
  assert.equal(refused.response.status, 403);
  assert.equal((await refused.response.json()).required_scope, 'read:customers');

  const stream = await openStream(narrow);
  const customer = await createCustomer(account.key, 'Hidden Ltd');
  const job = await ctx.call('POST', '/v1/jobs', {
    key: account.key,
    body: { title: 'Seen', customer_id: customer.id },
  });
  assert.equal(job.status, 201, job.text);
  const [frame] = await stream.next(1);
  assert.equal(frame.event, 'job.created', 'the customer.created before it is not sent');
  assert.equal(frame.data.data.object.id, job.body.data.id);
  await stream.close();
});

test('reconnecting with Last-Event-ID delivers exactly the events missed while away, in order', async () => {
  const first = await openStream(account.key, { query: '?types=customer.created' });
  await createCustomer(account.key, 'Before');
  const [seen] = await first.next(1);
  await first.close();

  const missed = [await createCustomer(account.key, 'Missed 1'), await createCustomer(account.key, 'Missed 2')];
  const again = await openStream(account.key, { query: '?types=customer.created', lastEventId: seen.id });
  const frames = await again.next(2);
  assert.deepEqual(
    frames.map((f) => f.data.data.object.id),
    missed.map((c) => c.id),
  );
  const live = await createCustomer(account.key, 'After');
  await again.next(3);
  assert.equal(again.frames[2].data.data.object.id, live.id);
  assert.equal(again.frames.length, 3, 'nothing twice');
  await again.close();
});

test(
  'bad requests are refused before streaming: unknown types, ' + 'and Last-Event-ID of no event of this account',
  async () => {
    const unknownType = await openStream(account.key, { query: '?types=customer.exploded' });
    assert.equal(unknownType.response.status, 400);
    const theirs = (await ctx.call('GET', '/v1/events?limit=1', { key: other.key })).body.data[0];
    const foreign = await openStream(account.key, { lastEventId: theirs.id });
    assert.equal(foreign.response.status, 400);
    assert.equal((await foreign.response.json()).code, 'bad_request');
    const anonymous = await ctx.app.request('/v1/events/stream');
    assert.equal(anonymous.status, 401);
    assert.equal(ctx.runtime.use(eventStreams).size, 0, 'every closed stream unsubscribed');
  },
);

test(
  'an event whose transaction commits late is not skipped: the stream waits for it, then keeps commit-safe order',
  { skip: !process.env.DATABASE_URL && 'needs PostgreSQL (two transactions at once)' },
  async () => {
    const { default: pg } = await import('pg');
    const slow = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await slow.connect();
    try {
      const stream = await openStream(account.key, { query: '?types=customer.created' });
      // A transaction that writes its event first and commits last.
      await slow.query('BEGIN');
      await slow.query(
        `INSERT INTO events (id, account_id, type, data, created_at, updated_at)
      VALUES ('evt_latecommit' || floor(random() * 1e12)::text, $1, 'customer.created', '{"object":{"id":"cus_late"}}',
        now(), now())`,
        [account.id],
      );
      const quick = await createCustomer(account.key, 'Quick');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(stream.frames.length, 0, 'nothing after a transaction still running is streamed yet');
      await slow.query('COMMIT');
      await ctx.runtime.use(eventStreams).poll();
      const frames = await stream.next(2);
      assert.deepEqual(
        frames.map((f) => f.data.data.object.id),
        ['cus_late', quick.id],
      );
      await stream.close();
    } finally {
      await slow.end();
    }
  },
);

test(
  'a stream opened while a transaction runs receives its event when it commits, though a later one committed first',
  { skip: !process.env.DATABASE_URL && 'needs PostgreSQL (two transactions at once)' },
  async () => {
    const { default: pg } = await import('pg');
    const slow = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await slow.connect();
    try {
      await slow.query('BEGIN');
      await slow.query(
        `INSERT INTO events (id, account_id, type, data, created_at, updated_at)
      VALUES ('evt_openlate' || floor(random() * 1e12)::text, $1, 'customer.created', '{"object":{"id":"cus_open"}}',
        now(), now())`,
        [account.id],
      );
      await createCustomer(account.key, 'Committed before the stream opened');
      const stream = await openStream(account.key, { query: '?types=customer.created' });
      await slow.query('COMMIT');
      const after = await createCustomer(account.key, 'After');
      await ctx.runtime.use(eventStreams).poll();
      const frames = await stream.next(2);
      assert.deepEqual(
        frames.map((f) => f.data.data.object.id),
        ['cus_open', after.id],
      );
      await stream.close();
    } finally {
      await slow.end();
    }
  },
);

test('an account holds a bounded number of open streams; closing one makes room', async () => {
  const crowded = await ctx.newAccount('Crowded Co');
  const streams = [];
  for (let i = 0; i < MAX_STREAMS_PER_ACCOUNT; i++) streams.push(await openStream(crowded.key));
  assert.ok(streams.every((s) => s.response.status === 200));
  const refused = await openStream(crowded.key);
  assert.equal(refused.response.status, 429);
  assert.equal(refused.response.headers.get('retry-after'), '30');
  assert.equal((await openStream(other.key)).response.status, 200, 'other accounts are not affected');
  await streams.pop()!.close();
  const admitted = await openStream(crowded.key);
  assert.equal(admitted.response.status, 200);
  await Promise.all([...streams, admitted].map((s) => s.close()));
});

test('stopping the hub ends open streams, so a server can shut down', async () => {
  const hub = ctx.runtime.use(eventStreams);
  const stream = await openStream(account.key);
  for (let waited = 0; hub.size === 0 && waited < 2000; waited += 10)
    await new Promise((resolve) => setTimeout(resolve, 10));
  await hub.stop();
  const ended = await Promise.race([
    stream.ended.then(() => true),
    new Promise((resolve) => setTimeout(() => resolve(false), 2000)),
  ]);
  assert.equal(ended, true, 'the client sees its stream end');
  assert.equal(hub.size, 0);
  await hub.start();
});
