// Reads on a streaming replica (DATABASE_REPLICA_URL), on a real hot standby made with
// pg_basebackup. With the replica's replay paused, a write is on the primary only: another
// caller's list, search, export and analytics (served by the replica) do not show it, while the
// writer's own reads (kept on the primary for the sticky window) do. A replica left behind longer
// than the lag bound is skipped; one that is down is skipped too, and reads still answer.
// PostgreSQL pass only; FIELDLINE_REQUIRE_REPLICA=1 fails instead of skipping.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { connectPostgres } from '../src/db/connect-postgres.ts';
import type { Database } from '../src/db/database.ts';
import { ReadReplica } from '../src/db/read-replica.ts';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { replicaMissing, startStreamingReplica, type StreamingReplica } from './support/streaming-replica.ts';

const databaseUrl = process.env.DATABASE_URL;
const missing = databaseUrl ? replicaMissing(databaseUrl) : undefined;
if (missing && process.env.FIELDLINE_REQUIRE_REPLICA === '1')
  throw new Error(`FIELDLINE_REQUIRE_REPLICA=1 but ${missing}`);
const skip = !databaseUrl
  ? 'a streaming replica needs a PostgreSQL server: runs with DATABASE_URL set'
  : (missing ?? false);

// Long enough that a replica a second or two behind a busy shared primary still counts as keeping up.
const STICKY_MS = 8_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('reads on a streaming replica', { skip }, () => {
  let standby: StreamingReplica;
  let redis: Redis | undefined;
  /** Two API nodes on one primary and one replica, sharing Redis when there is one. */
  const nodes: { ctx: TestContext; reads: ReadReplica; primary: Database }[] = [];
  let writer: TestAccount;
  let otherKey: string;

  const newNode = async () => {
    const primary = await connectPostgres(databaseUrl!, 4);
    const replicaDb = await connectPostgres(standby.url, 4, { lazy: true, connectTimeoutMs: 2_000 });
    const reads = new ReadReplica(replicaDb, primary, {
      stickyMs: STICKY_MS,
      redis,
      logger: pino({ level: 'silent' }),
    });
    const ctx = await createTestContext({ readReplica: reads });
    await reads.start();
    nodes.push({ ctx, reads, primary });
    return { ctx, reads };
  };
  const until = async (what: string, done: () => Promise<boolean> | boolean, ms = 30_000) => {
    for (const end = Date.now() + ms; !(await done()); await sleep(50))
      if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what} (replica ${nodes[0]?.reads.state})`);
  };
  const names = async (key: string, node = 0) => {
    const response = await nodes[node].ctx.call('GET', '/v1/customers?limit=100', { key });
    assert.equal(response.status, 200, response.text);
    return response.body.data.map((customer: { name: string }) => customer.name) as string[];
  };

  before(async () => {
    standby = await startStreamingReplica(databaseUrl!);
    redis = process.env.REDIS_URL ? new Redis(process.env.REDIS_URL) : undefined;
    const { ctx, reads } = await newNode();
    await newNode();
    writer = await ctx.newAccount('Replica Co');
    otherKey = await ctx.newKey(writer.id, ['read:*', 'write:*']);
    // It first catches up with what the primary (shared, maybe busy) wrote during the backup.
    await until(
      'the replica serves',
      async () => {
        await reads.check();
        return reads.state === 'serving';
      },
      180_000,
    );
  });

  after(async () => {
    for (const { ctx, reads, primary } of nodes) {
      await ctx.close();
      await reads.close();
      await primary.close();
    }
    redis?.disconnect();
    await standby?.remove();
  });

  test('with replay paused, the other caller reads the replica and the writer reads its write', async () => {
    const [{ ctx, reads }] = nodes;
    const before = await ctx.call('GET', '/v1/analytics/customers', { key: otherKey });
    assert.equal(before.status, 200, before.text);
    await standby.sql('SELECT pg_wal_replay_pause()');
    await until('replay paused', async () => {
      const [{ state }] = await standby.sql('SELECT pg_get_wal_replay_pause_state() AS state');
      return state === 'paused';
    });
    await reads.check();
    assert.equal(reads.state, 'serving', 'paused only now: still within the lag bound');
    const created = await ctx.call('POST', '/v1/customers', { key: writer.key, body: { name: 'Only On Primary' } });
    assert.equal(created.status, 201, created.text);

    // The writer, on either node (the sticky window is in Redis when there is one): the primary.
    assert.ok((await names(writer.key)).includes('Only On Primary'));
    if (redis) assert.ok((await names(writer.key, 1)).includes('Only On Primary'), 'the other node knows who wrote');
    // Another caller: the replica, which has not replayed the write.
    assert.ok(
      !(await names(otherKey)).includes('Only On Primary'),
      'a list by another caller is served by the replica',
    );
    const search = await ctx.call('GET', '/v1/search?q=Only%20On%20Primary', { key: otherKey });
    assert.equal(search.status, 200, search.text);
    assert.equal(search.body.data.data.length, 0, 'search is served by the replica');
    const exported = await ctx.call('GET', '/v1/customers/export?format=csv', { key: otherKey });
    assert.equal(exported.status, 200, exported.text);
    assert.doesNotMatch(exported.text, /Only On Primary/, 'exports are served by the replica');
    const analytics = await ctx.call('GET', '/v1/analytics/customers', { key: otherKey });
    assert.equal(analytics.body.data.new_customers, before.body.data.new_customers, 'analytics on the replica');
    const writersAnalytics = await ctx.call('GET', '/v1/analytics/customers', { key: writer.key });
    assert.equal(writersAnalytics.body.data.new_customers, before.body.data.new_customers + 1);
    // A read by id is not a replica read: the primary answers it for anyone.
    const byId = await ctx.call('GET', `/v1/customers/${created.body.data.id}`, { key: otherKey });
    assert.equal(byId.status, 200, byId.text);

    // Left paused beyond the lag bound, the replica is skipped: the other caller sees the write.
    await until('the paused replica counts as lagging', async () => {
      await reads.check();
      return reads.state === 'lagging';
    });
    assert.ok((await names(otherKey)).includes('Only On Primary'), 'a lagging replica is skipped');

    await standby.sql('SELECT pg_wal_replay_resume()');
    await until('the replica serves again', async () => {
      await reads.check();
      return reads.state === 'serving';
    });
    // Another caller may read up to the lag bound behind; soon it sees the write on the replica too.
    await until('the replica replays the write', async () => (await names(otherKey)).includes('Only On Primary'));
  });

  test("past the writer's sticky window its reads go back to the replica, which has its writes", async () => {
    const [{ ctx, reads }] = nodes;
    const created = await ctx.call('POST', '/v1/customers', { key: writer.key, body: { name: 'Written Then Read' } });
    assert.equal(created.status, 201, created.text);
    await sleep(STICKY_MS + 100);
    await standby.sql('SELECT pg_wal_replay_pause()');
    try {
      await reads.check();
      assert.equal(reads.state, 'serving');
      // On the replica now (a fresh write by someone else would not show), with its own write.
      const other = await ctx.call('POST', '/v1/customers', { key: otherKey, body: { name: 'Not Replayed' } });
      assert.equal(other.status, 201, other.text);
      const seen = await names(writer.key);
      assert.ok(seen.includes('Written Then Read') && !seen.includes('Not Replayed'), seen.join(', '));
    } finally {
      await standby.sql('SELECT pg_wal_replay_resume()');
    }
  });

  test('with the replica down, reads fall back to the primary and still answer', async () => {
    const [{ ctx, reads }] = nodes;
    await until('the replica serves', async () => {
      await reads.check();
      return reads.state === 'serving';
    });
    // A caller that has not written: its reads would be the replica's.
    const readerKey = await ctx.newKey(writer.id, ['read:*']);
    standby.stopServer();
    // The first read meets the dead replica and is answered by the primary.
    assert.ok((await names(readerKey)).includes('Only On Primary'));
    assert.equal(reads.state, 'unavailable');
    const search = await ctx.call('GET', '/v1/search?q=Primary', { key: readerKey });
    assert.equal(search.status, 200, search.text);
    const exported = await ctx.call('GET', '/v1/customers/export', { key: readerKey });
    assert.equal(exported.status, 200, exported.text);
    const analytics = await ctx.call('GET', '/v1/analytics/customers', { key: readerKey });
    assert.equal(analytics.status, 200, analytics.text);
    await reads.check();
    assert.equal(reads.state, 'unavailable', 'the check agrees: reads stay on the primary');
    assert.ok((await names(readerKey)).includes('Only On Primary'));
  });
});
