// Rate limits and quotas: per credential and bucket, exact under concurrency, announced in
// RateLimit headers, shared through Redis when configured and still enforced per node when
// Redis is gone.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { periodOf } from '../src/limits/monthly-quota.ts';
import { PLANS } from '../src/limits/plans.ts';
import { FAILED_AUTH_PER_IP } from '../src/limits/traffic-limits.ts';
import { connectRedis } from '../src/limits/connect-redis.ts';
import { pino } from 'pino';
import { requestQuota } from '../src/limits/limits-services.ts';

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
  account = await ctx.newAccount();
});
after(async () => ctx.close());

const tight = (limit: number) => ({
  read: { limit, window_seconds: 60 },
  write: { limit, window_seconds: 60 },
  expensive: { limit, window_seconds: 60 },
});

describe('rate limits per credential', () => {
  test(
    'N parallel requests against a limit of L: exactly L succeed, ' + 'the rest are 429 rate_limited with Retry-After',
    async () => {
      const key = await ctx.newKey(account.id, ['read:*'], tight(7));
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => ctx.call('GET', '/v1/customers?limit=1', { key })),
      );
      const statuses = responses.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 7, statuses.join(','));
      const refused = responses.filter((r) => r.status === 429);
      assert.equal(refused.length, 13);
      for (const response of refused) {
        assert.equal(response.body.code, 'rate_limited');
        assert.match(response.headers.get('content-type')!, /application\/problem\+json/);
        const retryAfter = Number(response.headers.get('retry-after'));
        assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
        assert.equal(response.headers.get('ratelimit'), `"read";r=0;t=${retryAfter}`);
      }
    },
  );

  test('every limited response announces its policy and what is left (IETF RateLimit headers)', async () => {
    const key = await ctx.newKey(account.id, ['read:*'], tight(50));
    const first = await ctx.call('GET', '/v1/customers', { key });
    const second = await ctx.call('GET', '/v1/customers', { key });
    assert.equal(first.headers.get('ratelimit-policy'), '"read";q=50;w=60');
    assert.match(first.headers.get('ratelimit')!, /^"read";r=49;t=\d+$/);
    assert.match(second.headers.get('ratelimit')!, /^"read";r=48;t=\d+$/);
  });

  test('reads, writes and expensive routes (export, bulk, search) have separate buckets', async () => {
    const key = await ctx.newKey(account.id, ['read:*', 'write:*'], tight(2));
    for (let i = 0; i < 2; i++) assert.equal((await ctx.call('GET', '/v1/customers', { key })).status, 200);
    assert.equal((await ctx.call('GET', '/v1/customers', { key })).status, 429);
    const write = await ctx.call('POST', '/v1/customers', { key, body: { name: 'Still writable' } });
    assert.equal(write.status, 201);
    assert.match(write.headers.get('ratelimit-policy')!, /^"write";/);
    const search = await ctx.call('GET', '/v1/customers?q=still', { key });
    assert.equal(search.status, 200);
    assert.match(search.headers.get('ratelimit-policy')!, /^"expensive";/);
    assert.match(
      (await ctx.call('GET', '/v1/customers/export', { key })).headers.get('ratelimit-policy')!,
      /^"expensive";/,
    );
  });

  test('one key at its limit does not slow down another key of the same account', async () => {
    const exhausted = await ctx.newKey(account.id, ['read:*'], tight(1));
    await ctx.call('GET', '/v1/customers', { key: exhausted });
    assert.equal((await ctx.call('GET', '/v1/customers', { key: exhausted })).status, 429);
    assert.equal((await ctx.call('GET', '/v1/customers', { key: account.key })).status, 200);
  });

  test('a refused request does nothing: no object, no event', async () => {
    const key = await ctx.newKey(account.id, ['write:*'], tight(1));
    const count = async () =>
      (await ctx.call('GET', '/v1/customers?count=true&limit=1', { key: account.key })).body.page.total;
    await ctx.call('POST', '/v1/customers', { key, body: { name: 'Allowed' } });
    const before = await count();
    const refused = await ctx.call('POST', '/v1/customers', { key, body: { name: 'Refused' } });
    assert.equal(refused.status, 429);
    assert.equal(await count(), before);
  });

  test("GET /v1/rate-limit shows the plan, each bucket's remaining budget and the monthly quota", async () => {
    const key = await ctx.newKey(account.id, ['read:customers'], { read: { limit: 10, window_seconds: 30 } });
    await ctx.call('GET', '/v1/customers', { key });
    const status = await ctx.call('GET', '/v1/rate-limit', { key });
    assert.equal(status.status, 200, status.text);
    const data = status.body.data;
    assert.equal(data.object, 'rate_limit');
    assert.equal(data.plan, 'standard');
    assert.equal(data.store, 'memory');
    const read = data.policies.find((p: any) => p.bucket === 'read');
    assert.deepEqual(
      { limit: read.limit, window: read.window_seconds, remaining: read.remaining },
      { limit: 10, window: 30, remaining: 8 },
    );
    const write = data.policies.find((p: any) => p.bucket === 'write');
    assert.deepEqual(
      { limit: write.limit, remaining: write.remaining },
      { limit: PLANS.standard.rates.write.limit, remaining: PLANS.standard.rates.write.limit },
    );
    assert.equal(data.quota.period, periodOf(Date.now()));
    assert.equal(data.quota.requests_limit, PLANS.standard.monthlyRequests);
    assert.ok(data.quota.requests_used >= 2);
  });
});

describe('failed authentication per IP address', () => {
  test('after the allowed failures a minute, an address gets 429 instead of 401; other addresses do not', async () => {
    const proxied = await createTestContext({ trustProxy: true });
    try {
      const from = (ip: string) => ({
        key: 'fl_test_wrongwrongwrongwrongwrongwrongwrongwrongwron',
        headers: { 'x-forwarded-for': ip },
      });
      for (let i = 0; i < FAILED_AUTH_PER_IP.limit; i++)
        assert.equal((await proxied.call('GET', '/v1/customers', from('203.0.113.9'))).status, 401);
      const blocked = await proxied.call('GET', '/v1/customers', from('203.0.113.9'));
      assert.equal(blocked.status, 429);
      assert.equal(blocked.body.code, 'rate_limited');
      assert.ok(Number(blocked.headers.get('retry-after')) > 0);
      assert.equal((await proxied.call('GET', '/v1/customers', from('203.0.113.10'))).status, 401);
    } finally {
      await proxied.close();
    }
  });
});

describe('monthly quota', () => {
  test(
    'an account at its monthly quota gets 429 quota_exceeded until the month ends; ' + '80 % sends one warning event',
    async () => {
      const plan = PLANS.free;
      const small = await createTestContext();
      try {
        const created = await small.newAccount('Quota Co');
        await systemQuery(small.db, {
          sql: 'UPDATE accounts SET plan = $1 WHERE id = $2',
          parameters: ['free', created.id],
        });
        await systemQuery(small.db, {
          sql: 'INSERT INTO usage_counters (account_id, period, requests) VALUES ($1, $2, $3)',
          parameters: [created.id, periodOf(Date.now()), plan.monthlyRequests - 3],
        });
        // The node learns the account's total on its first flush after counting a request.
        assert.equal((await small.call('GET', '/v1/customers', { key: created.key })).status, 200);
        await small.runtime.use(requestQuota).flush();
        assert.equal((await small.call('GET', '/v1/customers', { key: created.key })).status, 200);
        assert.equal((await small.call('GET', '/v1/customers', { key: created.key })).status, 200);
        const over = await small.call('GET', '/v1/customers', { key: created.key });
        assert.equal(over.status, 429);
        assert.equal(over.body.code, 'quota_exceeded');
        const retryAfter = Number(over.headers.get('retry-after'));
        const now = new Date();
        const nextMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
        assert.ok(
          Math.abs(retryAfter - (nextMonth - Date.now()) / 1000) < 5,
          `Retry-After ${retryAfter} is the start of next month`,
        );

        await small.runtime.use(requestQuota).flush();
        const [counter] = await systemQuery(small.db, {
          sql: 'SELECT requests, warned_at FROM usage_counters WHERE account_id = $1',
          parameters: [created.id],
        });
        assert.equal(Number(counter.requests), plan.monthlyRequests, 'refused requests are not counted');
        assert.ok(counter.warned_at);
        const [{ n }] = await systemQuery(small.db, {
          sql: "SELECT count(*)::int AS n FROM events WHERE account_id = $1 AND type = 'account.quota_warning'",
          parameters: [created.id],
        });
        assert.equal(n, 1);
      } finally {
        await small.close();
      }
    },
  );

  test('usage from several nodes adds up in one counter', async () => {
    const other = await createTestContext();
    try {
      const created = await other.newAccount('Two Nodes Co');
      const second = await createTestContext();
      try {
        for (let i = 0; i < 3; i++) await other.call('GET', '/v1/customers', { key: created.key });
        for (let i = 0; i < 2; i++) await second.call('GET', '/v1/customers', { key: created.key });
        await Promise.all([other.runtime.use(requestQuota).flush(), second.runtime.use(requestQuota).flush()]);
        const [counter] = await systemQuery(other.db, {
          sql: 'SELECT requests FROM usage_counters WHERE account_id = $1',
          parameters: [created.id],
        });
        // Both contexts share a database only on PostgreSQL; on PGlite each has its own.
        assert.equal(Number(counter.requests), process.env.DATABASE_URL ? 5 : 3);
      } finally {
        await second.close();
      }
    } finally {
      await other.close();
    }
  });
});

describe('shared limits through Redis', () => {
  test('when Redis is unreachable, limits still hold per node and the failures are counted', async () => {
    const deadRedis = connectRedis('redis://127.0.0.1:1', pino({ level: 'silent' }));
    const node = await createTestContext({ redis: deadRedis });
    try {
      const created = await node.newAccount();
      const key = await node.newKey(created.id, ['read:*'], tight(3));
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await node.call('GET', '/v1/customers', { key })).status);
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      const metrics = await node.runtime.metrics.getSingleMetricAsString('fieldline_rate_limit_store_failures_total');
      assert.match(metrics, /fieldline_rate_limit_store_failures_total \d+/);
      assert.ok(Number(/ (\d+)$/m.exec(metrics)![1]) >= 5);
    } finally {
      await node.close();
      deadRedis.disconnect();
    }
  });

  test(
    "two API nodes on one Redis share each key's budget",
    { skip: !process.env.REDIS_URL && 'REDIS_URL not set' },
    async () => {
      const clients = [new Redis(process.env.REDIS_URL!), new Redis(process.env.REDIS_URL!)];
      const nodes = await Promise.all(clients.map((redis) => createTestContext({ redis })));
      try {
        // Each node has its own database connection; the key must exist where each node looks.
        const created = await nodes[0].newAccount();
        const key = await nodes[0].newKey(created.id, ['read:*'], tight(10));
        const target = process.env.DATABASE_URL ? nodes : [nodes[0], nodes[0]];
        const responses = await Promise.all(
          Array.from({ length: 30 }, (_, i) => target[i % 2].call('GET', '/v1/customers', { key })),
        );
        assert.equal(responses.filter((r) => r.status === 200).length, 10);
        assert.equal(responses.filter((r) => r.status === 429).length, 20);
        const status = await nodes[0].call('GET', '/v1/rate-limit', { key: created.key });
        assert.equal(status.body.data.store, 'redis');
      } finally {
        await Promise.all(nodes.map((node) => node.close()));
        for (const client of clients) client.disconnect();
      }
    },
  );
});
