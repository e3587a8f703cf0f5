// Request logs, usage and error tracking: every request of an account is logged with the
// right fields and without secrets, and the aggregates match the requests made.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { freePort, serveOn } from './support/real-port.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { Registry as MetricsRegistry } from 'prom-client';
import { RequestLogWriter, type RequestLogEntry } from '../src/analytics/request-log-writer.ts';
import { pino } from 'pino';
import { requestLogWriter } from '../src/analytics/analytics-services.ts';

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
  account = await ctx.newAccount('Logged Co');
});
after(async () => ctx.close());

const flush = () => ctx.runtime.use(requestLogWriter).flush();

describe('request logs', () => {
  test(
    'a request is logged with its route template, status, key, latency and sizes; ' +
      'a success keeps no headers or bodies',
    async () => {
      const created = await ctx.call('POST', '/v1/customers', {
        key: account.key,
        body: { name: 'Logged' },
        headers: { 'user-agent': 'fieldline-test/1.0' },
      });
      const requestId = created.headers.get('x-request-id')!;
      await flush();
      const log = await ctx.call('GET', `/v1/request-logs/${requestId}`, { key: account.key });
      assert.equal(log.status, 200, log.text);
      const entry = log.body.data;
      assert.equal(entry.object, 'request_log');
      assert.equal(entry.id, requestId);
      assert.deepEqual(
        {
          method: entry.method,
          path: entry.path,
          route: entry.route,
          status: entry.status,
          user_agent: entry.user_agent,
          error_code: entry.error_code,
        },
        {
          method: 'POST',
          path: '/v1/customers',
          route: '/v1/customers',
          status: 201,
          user_agent: 'fieldline-test/1.0',
          error_code: null,
        },
      );
      assert.match(entry.api_key_id, /^key_/);
      assert.ok(entry.duration_us > 0);
      assert.equal(entry.bytes_out, Buffer.byteLength(created.text));
      assert.equal(entry.request_body, null, 'bodies are kept only for failed requests');
      assert.equal(entry.request_headers, null, 'and so are headers');
    },
  );

  test(
    'a failed request keeps its headers with Authorization redacted, ' + 'its (redacted) body and the problem it got',
    async () => {
      const failed = await ctx.call('POST', '/v1/customers', {
        key: account.key,
        body: { name: 'x', password: 'hunter2', nonsense: 1 },
      });
      assert.equal(failed.status, 422);
      await flush();
      const log = await ctx.call('GET', `/v1/request-logs/${failed.body.request_id}`, { key: account.key });
      const entry = log.body.data;
      assert.match(entry.request_headers.authorization, /^Bearer fl_live_\w{12}\[redacted\]$/);
      assert.ok(!log.text.includes(account.key.slice(20)), 'the key secret is nowhere in the log');
      assert.equal(entry.error_code, 'validation_failed');
      assert.equal(entry.response_body.code, 'validation_failed');
      assert.equal(entry.request_body.password, '[redacted]');
      assert.equal(entry.request_body.nonsense, 1);
    },
  );

  test('lists filter by status, route, key and time, cursor paged', async () => {
    const other = await ctx.newKey(account.id, ['read:*']);
    await ctx.call('GET', '/v1/customers/cus_00000000000000000000000000', { key: other });
    await ctx.call('GET', '/v1/jobs', { key: other });
    await flush();
    const otherKeyId = (await ctx.call('GET', '/v1/request-logs?limit=1', { key: account.key })).body.data[0]
      .api_key_id;
    const byKey = await ctx.call('GET', `/v1/request-logs?api_key_id=${otherKeyId}`, { key: account.key });
    assert.deepEqual(byKey.body.data.map((e: any) => e.route).sort(), ['/v1/customers/{id}', '/v1/jobs']);
    const notFound = await ctx.call('GET', `/v1/request-logs?status=404&api_key_id=${otherKeyId}`, {
      key: account.key,
    });
    assert.deepEqual(
      notFound.body.data.map((e: any) => [e.status, e.error_code]),
      [[404, 'not_found']],
    );
    const since = encodeURIComponent(new Date(Date.now() + 60_000).toISOString());
    assert.equal(
      (await ctx.call('GET', `/v1/request-logs?created_at[gte]=${since}`, { key: account.key })).body.data.length,
      0,
    );
    const page = await ctx.call('GET', '/v1/request-logs?limit=2', { key: account.key });
    assert.equal(page.body.page.has_more, true);
    const next = await ctx.call('GET', `/v1/request-logs?limit=2&cursor=${page.body.page.next_cursor}`, {
      key: account.key,
    });
    assert.equal(next.status, 200);
    assert.notDeepEqual(
      next.body.data.map((e: any) => e.id),
      page.body.data.map((e: any) => e.id),
    );
  });

  test(
    'over a real socket the log reads what Node received: address, user agent, size, ' +
      'and for a failure every header with credentials redacted',
    async () => {
      const port = await freePort();
      const server = await serveOn(ctx.app, port);
      const send = (body: string) =>
        fetch(`http://127.0.0.1:${port}/v1/customers`, {
          method: 'POST',
          body,
          headers: {
            authorization: `Bearer ${account.key}`,
            'content-type': 'application/json',
            'user-agent': 'socket-test/2.0',
            'x-trace': 'abc',
          },
        });
      const logged = async (response: Response) =>
        (await ctx.call('GET', `/v1/request-logs/${response.headers.get('x-request-id')}`, { key: account.key })).body
          .data;
      try {
        const body = JSON.stringify({ name: 'Over HTTP' });
        const created = await send(body);
        const refused = await send(JSON.stringify({ name: 'Over HTTP', nonsense: 1 }));
        assert.deepEqual([created.status, refused.status], [201, 422]);
        await flush();
        const success = await logged(created);
        assert.deepEqual(
          {
            ip: success.ip,
            user_agent: success.user_agent,
            bytes_in: success.bytes_in,
            request_headers: success.request_headers,
          },
          { ip: '127.0.0.1', user_agent: 'socket-test/2.0', bytes_in: Buffer.byteLength(body), request_headers: null },
        );
        const failure = await logged(refused);
        assert.equal(failure.user_agent, 'socket-test/2.0');
        assert.equal(failure.request_headers['x-trace'], 'abc');
        assert.equal(failure.request_headers['content-length'], String(failure.bytes_in));
        assert.equal(failure.request_headers.authorization, `Bearer ${account.key.slice(0, 20)}[redacted]`);
      } finally {
        await server.close();
      }
    },
  );

  test('a full queue drops entries and counts them; requests never wait or fail', async () => {
    const metrics = new MetricsRegistry();
    const writer = new RequestLogWriter(ctx.db, metrics, pino({ level: 'silent' }), { maxQueue: 3, batchSize: 100 });
    const entry = (i: number): RequestLogEntry => ({
      id: `req_queue_${i}`,
      account_id: account.id,
      api_key_id: null,
      credential: 'none',
      method: 'GET',
      path: '/v1/x',
      route: null,
      status: 200,
      duration_us: 1,
      ip: null,
      user_agent: null,
      bytes_in: 0,
      bytes_out: 0,
      error_code: null,
      request_headers: '{}',
      request_body: null,
      response_body: null,
      created_at: new Date().toISOString(),
    });
    for (let i = 0; i < 5; i++) writer.push(entry(i));
    await writer.flush();
    const dropped = await metrics.getSingleMetricAsString('fieldline_request_logs_dropped_total');
    assert.match(dropped, /reason="queue_full"} 2/);
    const [{ n }] = await systemQuery(ctx.db, {
      sql: "SELECT count(*)::int AS n FROM request_logs WHERE id LIKE 'req_queue_%'",
      parameters: [],
    });
    assert.equal(n, 3);
  });

  test(
    'a flush writes what was queued when it began: ' + 'rows arriving meanwhile wait for a full batch or the next tick',
    async () => {
      // Taking them at once kept a writer under steady load writing batches of a few dozen rows.
      const writer = new RequestLogWriter(ctx.db, new MetricsRegistry(), pino({ level: 'silent' }), { batchSize: 100 });
      const entry = (i: number): RequestLogEntry => ({
        id: `req_tick_${i}`,
        account_id: account.id,
        api_key_id: null,
        credential: 'none',
        method: 'GET',
        path: '/v1/x',
        route: null,
        status: 200,
        duration_us: 1,
        ip: null,
        user_agent: null,
        bytes_in: 0,
        bytes_out: 0,
        error_code: null,
        request_headers: '{}',
        request_body: null,
        response_body: null,
        created_at: new Date().toISOString(),
      });
      const written = async () =>
        (
          await systemQuery(ctx.db, {
            sql: "SELECT count(*)::int AS n FROM request_logs WHERE id LIKE 'req_tick_%'",
            parameters: [],
          })
        )[0].n;
      for (let i = 0; i < 3; i++) writer.push(entry(i));
      const first = writer.flush();
      for (let i = 3; i < 5; i++) writer.push(entry(i)); // while the first three are being written
      await first;
      assert.equal(await written(), 3);
      await writer.flush();
      assert.equal(await written(), 5);
    },
  );

  test('an entry PostgreSQL refuses costs only itself: the rest of its batch is written', async () => {
    const metrics = new MetricsRegistry();
    const writer = new RequestLogWriter(ctx.db, metrics, pino({ level: 'silent' }), { batchSize: 100 });
    const entry = (i: number, duration_us: number): RequestLogEntry => ({
      id: `req_batch_${i}`,
      account_id: account.id,
      api_key_id: null,
      credential: 'none',
      method: 'GET',
      path: '/v1/x',
      route: null,
      status: 200,
      duration_us,
      ip: null,
      user_agent: 'tab\there',
      bytes_in: 0,
      bytes_out: 0,
      error_code: null,
      request_headers: JSON.stringify({ 'user-agent': 'tab\there' }),
      request_body: null,
      response_body: null,
      created_at: new Date().toISOString(),
    });
    writer.push(entry(1, 5));
    writer.push(entry(2, 2 ** 40)); // past the integer column's range
    writer.push(entry(3, 7));
    await writer.flush();
    const rows = await systemQuery(ctx.db, {
      sql:
        "SELECT id, duration_us, user_agent, request_headers FROM request_logs WHERE id LIKE 'req_batch_%' " +
        'ORDER BY id',
      parameters: [],
    });
    assert.deepEqual(
      rows.map((row) => [row.id, row.duration_us, row.user_agent, row.request_headers]),
      [
        ['req_batch_1', 5, 'tab\there', { 'user-agent': 'tab\there' }],
        ['req_batch_3', 7, 'tab\there', { 'user-agent': 'tab\there' }],
      ],
    );
    assert.match(
      await metrics.getSingleMetricAsString('fieldline_request_logs_dropped_total'),
      /reason="write_failed"} 1/,
    );
  });

  // Issue 26, defects 7 and 8: stored bodies are capped and counted; NUL and lone surrogates
  // (which jsonb refuses) are stored escaped, as the visible text `\u0000`, never dropping the entry.
  test('a huge failing body is stored cut to 16 KiB, marked truncated, with its real size', async () => {
    const tags = Array.from({ length: 100_000 }, (_, i) => i);
    const refused = await ctx.call('POST', '/v1/customers', { key: account.key, body: { name: 'Huge', tags } });
    assert.equal(refused.status, 422);
    await flush();
    const entry = (await ctx.call('GET', `/v1/request-logs/${refused.body.request_id}`, { key: account.key })).body
      .data;
    assert.equal(entry.body_truncated, true);
    assert.equal(entry.request_body_bytes, Buffer.byteLength(JSON.stringify({ name: 'Huge', tags })));
    assert.equal(typeof entry.request_body, 'string', 'a cut body is kept as the start of its JSON text');
    assert.ok(JSON.stringify({ name: 'Huge', tags }).startsWith(entry.request_body));
    assert.equal(entry.response_body.code, 'validation_failed', 'the small problem is whole');
    assert.equal(entry.response_body_bytes, Buffer.byteLength(JSON.stringify(entry.response_body)));
    const [stored] = await systemQuery(ctx.db, {
      sql:
        'SELECT octet_length(request_body::text) AS request, octet_length(response_body::text) AS response ' +
        'FROM request_logs WHERE id = $1',
      parameters: [refused.body.request_id],
    });
    assert.ok(Number(stored.request) <= 16 * 1024, `stored ${stored.request} bytes`);
    assert.ok(Number(stored.request) > 15 * 1024);

    const small = await ctx.call('POST', '/v1/customers', { key: account.key, body: { name: 'x', nonsense: 1 } });
    await flush();
    const whole = (await ctx.call('GET', `/v1/request-logs/${small.body.request_id}`, { key: account.key })).body.data;
    assert.equal(whole.body_truncated, false);
    assert.deepEqual(whole.request_body, { name: 'x', nonsense: 1 });
    assert.equal(whole.request_body_bytes, Buffer.byteLength(JSON.stringify({ name: 'x', nonsense: 1 })));
  });

  test('bodies and problems holding NUL or unpaired surrogates are stored escaped, never dropped', async () => {
    // A problem that names what was sent: an unknown filter spelled with a NUL.
    const refused = await ctx.call('GET', '/v1/customers?na%00me=1', { key: account.key });
    assert.equal(refused.status, 400);
    const metrics = new MetricsRegistry();
    const writer = new RequestLogWriter(ctx.db, metrics, pino({ level: 'silent' }), { batchSize: 100 });
    const entry = (i: number, body: unknown, problem: unknown): RequestLogEntry => ({
      id: `req_nul_${i}`,
      account_id: account.id,
      api_key_id: null,
      credential: 'none',
      method: 'POST',
      path: '/v1/x',
      route: null,
      status: 400,
      duration_us: 1,
      ip: null,
      user_agent: null,
      bytes_in: 0,
      bytes_out: 0,
      error_code: 'bad_request',
      request_headers: '{}',
      request_body: body,
      response_body: problem,
      created_at: new Date().toISOString(),
    });
    writer.push(entry(1, { name: 'a\u0000b', ['k\u0000']: ['\ud800', 'x\\u0000'] }, { detail: 'bad \u0000' }));
    writer.push(entry(2, { emoji: '\u{1F600}', text: 'caf\u00e9' }, null));
    writer.push(entry(3, null, { detail: 'lone \udfff end' }));
    await writer.flush();
    await flush();
    const rows = await systemQuery(ctx.db, {
      sql: "SELECT id, request_body, response_body FROM request_logs WHERE id LIKE 'req_nul_%' ORDER BY id",
      parameters: [],
    });
    assert.deepEqual(
      rows.map((row) => [row.id, row.request_body, row.response_body]),
      [
        ['req_nul_1', { name: 'a\\u0000b', ['k\\u0000']: ['\\ud800', 'x\\u0000'] }, { detail: 'bad \\u0000' }],
        ['req_nul_2', { emoji: '\u{1F600}', text: 'caf\u00e9' }, null],
        ['req_nul_3', null, { detail: 'lone \\udfff end' }],
      ],
    );
    assert.doesNotMatch(
      await metrics.getSingleMetricAsString('fieldline_request_logs_dropped_total'),
      /write_failed"} [1-9]/,
    );
    const logged = await ctx.call('GET', `/v1/request-logs/${refused.body.request_id}`, { key: account.key });
    assert.equal(logged.status, 200, 'the request whose problem held a NUL is in the log');
    assert.match(logged.body.data.response_body.detail, /na\\u0000me/);
  });

  test('retention drops whole daily partitions older than the limit', async () => {
    const writer = ctx.runtime.use(requestLogWriter);
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    writer.push({
      id: 'req_ancient',
      account_id: account.id,
      api_key_id: null,
      credential: 'none',
      method: 'GET',
      path: '/v1/x',
      route: null,
      status: 200,
      duration_us: 1,
      ip: null,
      user_agent: null,
      bytes_in: 0,
      bytes_out: 0,
      error_code: null,
      request_headers: '{}',
      request_body: null,
      response_body: null,
      created_at: old,
    });
    await flush();
    const partitions = async () =>
      (
        await systemQuery(ctx.db, {
          sql:
            'SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid ' +
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'request_logs'",
          parameters: [],
        })
      ).map((row) => row.name as string);
    const oldPartition = `request_logs_p${old.slice(0, 10).replaceAll('-', '')}`;
    assert.ok((await partitions()).includes(oldPartition));
    const dropped = await writer.dropExpired();
    assert.ok(dropped.includes(old.slice(0, 10)));
    assert.ok(!(await partitions()).includes(oldPartition));
    const today = `request_logs_p${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
    assert.ok((await partitions()).includes(today), 'recent partitions stay');
  });
});

describe('usage and errors', () => {
  test('GET /v1/usage counts exactly the requests made, by status class and by route', async () => {
    const fresh = await ctx.newAccount('Usage Co');
    for (let i = 0; i < 3; i++) await ctx.call('POST', '/v1/customers', { key: fresh.key, body: { name: `U${i}` } });
    for (let i = 0; i < 2; i++)
      await ctx.call('GET', '/v1/customers/cus_00000000000000000000000000', { key: fresh.key });
    await ctx.call('POST', '/v1/customers', { key: fresh.key, body: {} });
    await flush();
    const usage = await ctx.call('GET', '/v1/usage?group_by=status_class', { key: fresh.key });
    assert.equal(usage.status, 200, usage.text);
    const { summary, buckets } = usage.body.data;
    assert.deepEqual(
      { requests: summary.requests, client: summary.client_errors, server: summary.server_errors },
      { requests: 6, client: 3, server: 0 },
    );
    assert.equal(summary.error_rate, 0.5);
    assert.ok(summary.p50_ms > 0 && summary.p50_ms <= summary.p95_ms && summary.p95_ms <= summary.p99_ms);
    const byClass = Object.fromEntries(buckets.map((b: any) => [b.group, b.requests]));
    assert.deepEqual(byClass, { '2xx': 3, '4xx': 3 });

    const byRoute = await ctx.call('GET', '/v1/usage?group_by=route&bucket=day', { key: fresh.key });
    const routes = Object.fromEntries(byRoute.body.data.buckets.map((b: any) => [b.group, b.requests]));
    assert.deepEqual(routes, { 'POST /v1/customers': 4, 'GET /v1/customers/{id}': 2 });
  });

  test('GET /v1/usage and /v1/errors narrow to one API key with api_key_id', async () => {
    const fresh = await ctx.newAccount('Two Keys Co');
    const second = await ctx.newKey(fresh.id, ['read:customers']);
    for (let i = 0; i < 3; i++) await ctx.call('GET', '/v1/customers', { key: fresh.key });
    for (let i = 0; i < 2; i++) await ctx.call('GET', '/v1/customers/cus_00000000000000000000000000', { key: second });
    await flush();
    const keys = (await ctx.call('GET', '/v1/api-keys', { key: fresh.key })).body.data;
    const secondId = keys.find((k: any) => second.startsWith(k.prefix) && second.endsWith(k.last4)).id;

    const usage = (await ctx.call('GET', `/v1/usage?api_key_id=${secondId}`, { key: fresh.key })).body.data;
    assert.deepEqual(
      { requests: usage.summary.requests, client: usage.summary.client_errors },
      { requests: 2, client: 2 },
    );
    const everyone = (await ctx.call('GET', '/v1/usage', { key: fresh.key })).body.data;
    assert.ok(everyone.summary.requests >= 5, 'without the filter every credential counts');
    const errors = (await ctx.call('GET', `/v1/errors?api_key_id=${secondId}`, { key: fresh.key })).body.data;
    assert.deepEqual(
      errors.groups.map((g: any) => [g.route, g.count]),
      [['GET /v1/customers/{id}', 2]],
    );
    const nobody = (await ctx.call('GET', '/v1/usage?api_key_id=key_unknown', { key: fresh.key })).body.data;
    assert.equal(nobody.summary.requests, 0);
  });

  test(
    'GET /v1/errors groups failures by code and route with counts, ' + 'first/last seen and a sample request',
    async () => {
      const fresh = await ctx.newAccount('Errors Co');
      const ids = [];
      for (let i = 0; i < 3; i++)
        ids.push(
          (await ctx.call('GET', '/v1/jobs/job_00000000000000000000000000', { key: fresh.key })).body.request_id,
        );
      await ctx.call('POST', '/v1/customers', { key: fresh.key, body: { name: 1 } });
      await flush();
      const errors = await ctx.call('GET', '/v1/errors', { key: fresh.key });
      assert.equal(errors.status, 200, errors.text);
      const groups = errors.body.data.groups;
      assert.deepEqual(
        groups.map((g: any) => [g.code, g.route, g.status, g.count]),
        [
          ['not_found', 'GET /v1/jobs/{id}', 404, 3],
          ['validation_failed', 'POST /v1/customers', 422, 1],
        ],
      );
      assert.equal(groups[0].sample_request_id, ids[2]);
      assert.ok(groups[0].first_seen <= groups[0].last_seen);
    },
  );

  test('bad windows and unknown parameters are 400s naming the parameter', async () => {
    const cases = [
      '/v1/usage?bucket=week',
      '/v1/usage?from=yesterday',
      '/v1/usage?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      '/v1/errors?colour=red',
      '/v1/usage?bucket=hour&bucket=day',
    ];
    for (const path of cases) {
      const response = await ctx.call('GET', path, { key: account.key });
      assert.equal(response.status, 400, `${path}: ${response.text}`);
      assert.equal(response.body.code, 'bad_request');
      assert.ok(response.body.errors?.length, path);
    }
  });

  test('analytics need read:request-logs', async () => {
    const key = await ctx.newKey(account.id, ['read:customers']);
    for (const path of ['/v1/usage', '/v1/errors', '/v1/request-logs']) {
      const response = await ctx.call('GET', path, { key });
      assert.equal(response.status, 403, path);
      assert.equal(response.body.required_scope, 'read:request-logs');
    }
  });
});
