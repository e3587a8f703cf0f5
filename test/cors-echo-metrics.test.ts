// Browser access (CORS per account), security headers, the echo endpoint for integrators and
// the Prometheus endpoint for operators.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext({ portalOrigins: ['https://portal.fieldline.test'], metricsToken: METRICS_TOKEN });
  account = await ctx.newAccount('Browser Co');
});
after(async () => ctx.close());

const preflight = (origin: string) =>
  ctx.call('OPTIONS', '/v1/customers', {
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    },
  });

describe('CORS', () => {
  test('an account allows origins with PATCH /v1/account; invalid origins are 422 and change nothing', async () => {
    const bad = await ctx.call('PATCH', '/v1/account', {
      key: account.key,
      body: { cors_allowed_origins: ['https://app.example.com/path'] },
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].path, 'cors_allowed_origins.0');
    const updated = await ctx.call('PATCH', '/v1/account', {
      key: account.key,
      body: { cors_allowed_origins: ['https://app.example.com'] },
    });
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual(updated.body.data.cors_allowed_origins, ['https://app.example.com']);
    assert.equal((await ctx.call('GET', '/v1/account', { key: account.key })).body.data.plan, 'standard');
  });

  test(
    'a preflight from an origin some account allows is answered and cached; ' +
      'an unknown origin gets no CORS headers',
    async () => {
      await ctx.call('PATCH', '/v1/account', {
        key: account.key,
        body: { cors_allowed_origins: ['https://app.example.com'] },
      });
      const allowed = await preflight('https://app.example.com');
      assert.equal(allowed.status, 204);
      assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example.com');
      assert.match(allowed.headers.get('access-control-allow-headers')!, /Authorization/);
      assert.match(allowed.headers.get('access-control-allow-headers')!, /Idempotency-Key/);
      assert.equal(allowed.headers.get('access-control-max-age'), '7200');
      const unknown = await preflight('https://evil.example');
      assert.equal(unknown.headers.get('access-control-allow-origin'), null);
    },
  );

  test('a real request gets Access-Control-Allow-Origin only when its own account allows the origin', async () => {
    await ctx.call('PATCH', '/v1/account', {
      key: account.key,
      body: { cors_allowed_origins: ['https://app.example.com'] },
    });
    const other = await ctx.newAccount('Other Co');
    const mine = await ctx.call('GET', '/v1/customers', {
      key: account.key,
      headers: { origin: 'https://app.example.com' },
    });
    assert.equal(mine.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(mine.headers.get('access-control-expose-headers')!, /RateLimit/);
    const theirs = await ctx.call('GET', '/v1/customers', {
      key: other.key,
      headers: { origin: 'https://app.example.com' },
    });
    assert.equal(
      theirs.headers.get('access-control-allow-origin'),
      null,
      'another account does not inherit the origin',
    );
    assert.match(theirs.headers.get('vary')!, /Origin/);
    const portal = await ctx.call('GET', '/v1/customers', {
      key: other.key,
      headers: { origin: 'https://portal.fieldline.test' },
    });
    assert.equal(portal.headers.get('access-control-allow-origin'), 'https://portal.fieldline.test');
    assert.equal(portal.headers.get('access-control-allow-credentials'), 'true');
  });

  test("removing an origin takes effect for the account's cached keys at once", async () => {
    const created = await ctx.newAccount('Fickle Co');
    await ctx.call('PATCH', '/v1/account', {
      key: created.key,
      body: { cors_allowed_origins: ['https://fickle.example.com'] },
    });
    const call = () =>
      ctx.call('GET', '/v1/customers', { key: created.key, headers: { origin: 'https://fickle.example.com' } });
    assert.equal((await call()).headers.get('access-control-allow-origin'), 'https://fickle.example.com');
    await ctx.call('PATCH', '/v1/account', { key: created.key, body: { cors_allowed_origins: [] } });
    assert.equal((await call()).headers.get('access-control-allow-origin'), null);
  });
});

describe('security headers', () => {
  test('every response says nosniff, deny framing and no referrer; HSTS only over HTTPS', async () => {
    const plain = await ctx.call('GET', '/v1/customers', { key: account.key });
    assert.equal(plain.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(plain.headers.get('x-frame-options'), 'DENY');
    assert.equal(plain.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(plain.headers.get('strict-transport-security'), null);
    const secure = await ctx.app.request('https://api.fieldline.test/v1', {});
    assert.match(secure.headers.get('strict-transport-security')!, /max-age=\d+/);
  });
});

describe('POST /v1/echo', () => {
  test('returns what it received and who is calling, with secrets redacted', async () => {
    const response = await ctx.call('POST', '/v1/echo', {
      key: account.key,
      body: { hello: 'world', client_secret: 'shh' },
      headers: { 'x-custom': 'yes', cookie: 'session=abc' },
    });
    assert.equal(response.status, 200, response.text);
    const data = response.body.data;
    assert.deepEqual(
      { method: data.method, path: data.path, body: data.body },
      { method: 'POST', path: '/v1/echo', body: { hello: 'world', client_secret: '[redacted]' } },
    );
    assert.equal(data.headers['x-custom'], 'yes');
    assert.equal(data.headers.cookie, '[redacted]');
    assert.ok(!response.text.includes(account.key.slice(20)), 'the key secret is not echoed');
    assert.equal(data.principal.account_id, account.id);
    assert.deepEqual(data.principal.scopes, ['read:*', 'write:*']);
    assert.equal(data.request_id, response.headers.get('x-request-id'));
  });

  test('needs a valid credential, but no particular scope', async () => {
    assert.equal((await ctx.call('POST', '/v1/echo', { body: {} })).status, 401);
    const key = await ctx.newKey(account.id, ['read:jobs']);
    assert.equal((await ctx.call('POST', '/v1/echo', { key, body: {} })).status, 200);
  });
});

describe('GET /metrics', () => {
  test('needs the metrics token, compared exactly', async () => {
    assert.equal((await ctx.call('GET', '/metrics')).status, 401);
    assert.equal(
      (await ctx.call('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } })).status,
      401,
    );
    assert.equal((await ctx.call('GET', '/metrics', { key: account.key })).status, 401);
  });

  test('counts requests by route template and status, with latency histograms and rate-limit rejections', async () => {
    await ctx.call('GET', '/v1/customers/cus_00000000000000000000000000', { key: account.key });
    const key = await ctx.newKey(account.id, ['read:*'], { read: { limit: 1 } });
    await ctx.call('GET', '/v1/jobs', { key });
    await ctx.call('GET', '/v1/jobs', { key });
    const response = await ctx.call('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /text\/plain/);
    const text = response.text;
    assert.match(
      text,
      /fieldline_http_requests_total\{method="GET",route="\/v1\/customers\/\{id\}",status="404"\} \d+/,
    );
    assert.match(
      text,
      /fieldline_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/v1\/jobs"\} \d+/,
    );
    assert.match(text, /fieldline_rate_limit_rejections_total\{bucket="read"\} [1-9]/);
    assert.match(text, /fieldline_request_log_queue_depth \d+/);
    assert.match(text, /fieldline_db_connections_in_use \d+/);
    assert.ok(!/cus_0000/.test(text), 'raw ids never become labels');
  });
});
