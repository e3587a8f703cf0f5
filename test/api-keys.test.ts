// Managing API keys through the API: a secret is shown once and stored only as a hash, a key
// never holds more than its creator, revoke and rotate take effect on every node at once, and
// an account cannot lock itself out by revoking its last key that manages keys.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { assertNames, assertProblem } from './support/problem-assertions.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { ApiKeyVerifier } from '../src/auth/api-keys.ts';

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
});
after(async () => {
  await ctx.close();
});
beforeEach(async () => {
  account = await ctx.newAccount('Keys Co');
});

const { call } = accountClient(
  () => ctx,
  () => account,
);

async function createKey(body: Record<string, unknown>, key = account.key) {
  const created = await call('POST', '/v1/api-keys', body, key);
  assert.equal(created.status, 201, created.text);
  return created.body.data as Record<string, any> & { id: string; secret: string };
}

const canRead = async (key: string) => (await call('GET', '/v1/customers', undefined, key)).status;

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('creating and reading keys', () => {
  test('the secret is answered once; reads show only its prefix and last four characters', async () => {
    const created = await createKey({ name: 'Zapier', scopes: ['read:customers'], mode: 'live' });
    assert.match(created.secret, /^fl_live_[0-9A-Za-z]{44}$/);
    assert.equal(created.prefix, created.secret.slice(0, 20));
    assert.equal(created.last4, created.secret.slice(-4));
    assert.equal(created.status, 'active');
    assert.equal(await canRead(created.secret), 200);

    const fetched = await call('GET', `/v1/api-keys/${created.id}`);
    assert.equal(fetched.status, 200);
    assert.equal(fetched.body.data.secret, undefined);
    const listed = await call('GET', '/v1/api-keys?limit=100');
    assert.ok(!listed.text.includes(created.secret.slice(20, -4)), 'no list shows the secret part');
    const event = (await call('GET', '/v1/events?type=api_key.created')).body.data[0];
    assert.equal(event.data.object.id, created.id);
    assert.ok(!JSON.stringify(event).includes(created.secret), 'the event does not carry the secret');
  });

  test('only a SHA-256 hash of the secret is stored', async () => {
    const created = await createKey({ name: 'Stored', scopes: ['read:jobs'] });
    const rows = await systemQuery(ctx.db, {
      sql: "SELECT encode(secret_hash, 'hex') AS hash FROM api_key_secrets WHERE key_id = $1",
      parameters: [created.id],
    });
    assert.deepEqual(
      rows.map((r) => r.hash),
      [createHash('sha256').update(created.secret).digest('hex')],
    );
    const [row] = await systemQuery(ctx.db, {
      sql: 'SELECT to_jsonb(k)::text AS text FROM api_keys k WHERE id = $1',
      parameters: [created.id],
    });
    assert.ok(!row.text.includes(created.secret.slice(20, -4)));
  });

  test('a key is refused once it expires', async () => {
    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    const created = await createKey({ name: 'Short-lived', scopes: ['read:customers'], expires_at: expiresAt });
    assert.equal(await canRead(created.secret), 200);
    await until(async () => Date.now() > Date.parse(expiresAt), 'the expiry passes');
    assert.equal(await canRead(created.secret), 401);
  });

  test('unknown scopes, no scopes and a past expiry are 422 and create nothing', async () => {
    const before = (await call('GET', '/v1/api-keys?count=true')).body.page.total;
    assertNames(
      assertProblem(
        await call('POST', '/v1/api-keys', { name: 'Bad', scopes: ['read:everything'] }),
        422,
        'validation_failed',
      ),
      'scopes.0',
    );
    assertNames(
      assertProblem(await call('POST', '/v1/api-keys', { name: 'Bad', scopes: [] }), 422, 'validation_failed'),
      'scopes',
    );
    assertNames(
      assertProblem(
        await call('POST', '/v1/api-keys', { name: 'Bad', scopes: ['read:jobs'], expires_at: '2020-01-01T00:00:00Z' }),
        422,
        'validation_failed',
      ),
      'expires_at',
    );
    assert.equal((await call('GET', '/v1/api-keys?count=true')).body.page.total, before);
  });

  test('a key cannot give another key scopes it does not hold itself', async () => {
    const manager = await ctx.newKey(account.id, ['read:api-keys', 'write:api-keys', 'read:customers']);
    const refused = await call(
      'POST',
      '/v1/api-keys',
      { name: 'Escalate', scopes: ['read:customers', 'write:customers'] },
      manager,
    );
    const refusal = assertProblem(refused, 403, 'insufficient_scope');
    assert.match(refusal.detail, /write:customers/);
    assert.deepEqual(refused.body.scopes, ['write:customers']);
    const narrower = await createKey({ name: 'Read customers', scopes: ['read:customers'] }, manager);
    assert.equal(await canRead(narrower.secret), 200);
    assertProblem(await call('POST', '/v1/customers', { name: 'Nope' }, narrower.secret), 403, 'insufficient_scope');
    // Nor widen a key by PATCH.
    assertProblem(
      await call('PATCH', `/v1/api-keys/${narrower.id}`, { scopes: ['read:customers', 'read:*'] }, manager),
      403,
      'insufficient_scope',
    );
    const renamed = await call('PATCH', `/v1/api-keys/${narrower.id}`, { name: 'Customer reader' }, manager);
    assert.equal(renamed.status, 200, renamed.text);
  });

  test('a key with more scopes than the caller cannot be changed, rotated or revoked by it', async () => {
    const manager = await ctx.newKey(account.id, ['read:api-keys', 'write:api-keys']);
    const [owner] = (await call('GET', '/v1/api-keys?sort=created_at')).body.data;
    assertProblem(await call('POST', `/v1/api-keys/${owner.id}/rotate`, {}, manager), 403, 'insufficient_scope');
    assertProblem(await call('POST', `/v1/api-keys/${owner.id}/revoke`, undefined, manager), 403, 'insufficient_scope');
    assertProblem(
      await call('PATCH', `/v1/api-keys/${owner.id}`, { scopes: ['read:api-keys'] }, manager),
      403,
      'insufficient_scope',
    );
    assertProblem(
      await call('PATCH', `/v1/api-keys/${owner.id}`, { name: 'Renamed' }, manager),
      403,
      'insufficient_scope',
    );
    const unchanged = (await call('GET', `/v1/api-keys/${owner.id}`)).body.data;
    assert.deepEqual([unchanged.name, unchanged.last4, unchanged.status], [owner.name, owner.last4, 'active']);
    assert.equal(await canRead(account.key), 200);
  });

  test(
    'another key cannot replay a create answered to this ' + 'one (the secret) with the same Idempotency-Key',
    async () => {
      const other = await ctx.newKey(account.id, ['read:*', 'write:*']);
      const body = { name: 'Once', scopes: ['read:jobs'] };
      const headers = { 'idempotency-key': `create-key-${account.id}` };
      const first = await ctx.call('POST', '/v1/api-keys', { key: account.key, body, headers });
      assert.equal(first.status, 201, first.text);
      const replayed = await ctx.call('POST', '/v1/api-keys', { key: account.key, body, headers });
      assert.equal(replayed.headers.get('idempotent-replayed'), 'true');
      assert.equal(replayed.body.data.secret, first.body.data.secret);
      assertProblem(
        await ctx.call('POST', '/v1/api-keys', { key: other, body, headers }),
        422,
        'idempotency_key_reused',
      );
    },
  );

  test('new scopes apply to the very next request', async () => {
    const created = await createKey({ name: 'Rescoped', scopes: ['read:customers'] });
    assert.equal(await canRead(created.secret), 200);
    const patched = await call('PATCH', `/v1/api-keys/${created.id}`, { scopes: ['read:jobs'], name: 'Jobs only' });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(await canRead(created.secret), 403);
    assert.equal((await call('GET', '/v1/jobs', undefined, created.secret)).status, 200);
  });
});

describe('revoking and rotating', () => {
  test('a revoked key is refused on its next request and stays listed as revoked', async () => {
    const created = await createKey({ name: 'Leaked', scopes: ['read:customers'] });
    assert.equal(await canRead(created.secret), 200);
    const revoked = await call('POST', `/v1/api-keys/${created.id}/revoke`);
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal(revoked.body.data.status, 'revoked');
    assert.ok(revoked.body.data.revoked_at);
    assertProblem(await call('GET', '/v1/customers', undefined, created.secret), 401, 'unauthenticated');
    assertProblem(await call('POST', `/v1/api-keys/${created.id}/revoke`), 409, 'invalid_state_transition');
    assertProblem(await call('PATCH', `/v1/api-keys/${created.id}`, { name: 'Back' }), 409, 'conflict');
    assertProblem(await call('POST', `/v1/api-keys/${created.id}/rotate`), 409, 'invalid_state_transition');
    const listed = await call('GET', '/v1/api-keys?status=revoked');
    assert.deepEqual(
      listed.body.data.map((k: { id: string }) => k.id),
      [created.id],
    );
    const events = await call('GET', '/v1/events?type=api_key.revoked');
    assert.equal(events.body.data[0].data.object.id, created.id);
  });

  test('revoking the only two key managers at once leaves one of them', async () => {
    const [owner] = (await call('GET', '/v1/api-keys')).body.data;
    const second = await createKey({ name: 'Second admin', scopes: ['read:*', 'write:*'] });
    const results = await Promise.all([
      call('POST', `/v1/api-keys/${owner.id}/revoke`, undefined, second.secret),
      call('POST', `/v1/api-keys/${second.id}/revoke`, undefined, second.secret),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
    const active = await systemQuery(ctx.db, {
      sql: "SELECT id FROM api_keys WHERE account_id = $1 AND status = 'active'",
      parameters: [account.id],
    });
    assert.equal(active.length, 1, 'exactly one manager is still active');
  });

  test('keys are revoked, never deleted', async () => {
    const created = await createKey({ name: 'Kept', scopes: ['read:customers'] });
    assert.equal((await call('DELETE', `/v1/api-keys/${created.id}`)).status, 405);
  });

  test('the last active key that can manage keys cannot be revoked or lose that power', async () => {
    const [owner] = (await call('GET', '/v1/api-keys')).body.data;
    assertProblem(await call('POST', `/v1/api-keys/${owner.id}/revoke`), 409, 'conflict');
    assertProblem(await call('PATCH', `/v1/api-keys/${owner.id}`, { scopes: ['read:*'] }), 409, 'conflict');
    const other = await createKey({ name: 'Second admin', scopes: ['write:api-keys', 'read:api-keys'] });
    assert.equal((await call('POST', `/v1/api-keys/${owner.id}/revoke`)).status, 200);
    assert.equal(await canRead(account.key), 401);
    assertProblem(await call('POST', `/v1/api-keys/${other.id}/revoke`, undefined, other.secret), 409, 'conflict');
  });

  test('rotate answers a new secret; the old one works for the grace period only', async () => {
    const created = await createKey({ name: 'Rotated', scopes: ['read:customers'] });
    const rotated = await call('POST', `/v1/api-keys/${created.id}/rotate`, {});
    assert.equal(rotated.status, 200, rotated.text);
    const next = rotated.body.data;
    assert.equal(next.id, created.id);
    assert.notEqual(next.secret, created.secret);
    assert.equal(next.prefix, next.secret.slice(0, 20));
    assert.equal(next.last4, next.secret.slice(-4));
    const graceEnds = Date.parse(next.previous_secret_expires_at) - Date.now();
    assert.ok(graceEnds > 86_400_000 - 60_000 && graceEnds <= 86_400_000, 'the default grace is 24 hours');
    assert.equal(await canRead(next.secret), 200);
    assert.equal(await canRead(created.secret), 200, 'the old secret works during the grace period');

    const now = await call('POST', `/v1/api-keys/${created.id}/rotate`, { expire_previous_in_seconds: 0 });
    assert.equal(now.status, 200, now.text);
    assert.equal(await canRead(now.body.data.secret), 200);
    assert.equal(await canRead(next.secret), 401);
    assert.equal(await canRead(created.secret), 401, "an older secret's grace is cut short too");
    const fetched = await call('GET', `/v1/api-keys/${created.id}`);
    assert.equal(fetched.body.data.last4, now.body.data.secret.slice(-4));

    assertNames(
      assertProblem(
        await call('POST', `/v1/api-keys/${created.id}/rotate`, { expire_previous_in_seconds: 8 * 86_400 }),
        422,
        'validation_failed',
      ),
      'expire_previous_in_seconds',
    );
  });

  test('last_used_at records when a key is used', async () => {
    const created = await createKey({ name: 'Used', scopes: ['read:customers'] });
    assert.equal(created.last_used_at, null);
    await canRead(created.secret);
    await until(
      async () => (await call('GET', `/v1/api-keys/${created.id}`)).body.data.last_used_at !== null,
      'last_used_at is recorded',
    );
  });

  test("another account's key is a 404 for every operation", async () => {
    const other = await ctx.newAccount('Other Co');
    const [theirs] = (await call('GET', '/v1/api-keys', undefined, other.key)).body.data;
    assertProblem(await call('GET', `/v1/api-keys/${theirs.id}`), 404, 'not_found');
    assertProblem(await call('PATCH', `/v1/api-keys/${theirs.id}`, { name: 'Mine now' }), 404, 'not_found');
    assertProblem(await call('POST', `/v1/api-keys/${theirs.id}/revoke`), 404, 'not_found');
    assertProblem(await call('POST', `/v1/api-keys/${theirs.id}/rotate`), 404, 'not_found');
    assert.equal(await canRead(other.key), 200);
  });
});

describe('every node hears of a change at once', () => {
  // Two more nodes' verifiers on the same database, trusting their cache for ten minutes:
  // only the NOTIFY sent at commit can make them drop a key in time.
  const nodes: ApiKeyVerifier[] = [];
  before(async () => {
    for (let i = 0; i < 2; i++) {
      const node = new ApiKeyVerifier(ctx.db, { cacheTtlMs: 600_000 });
      await node.start();
      nodes.push(node);
    }
  });
  after(async () => {
    for (const node of nodes) await node.stop();
  });

  test('a key revoked through one node is refused by the others', async () => {
    const created = await createKey({ name: 'Shared', scopes: ['read:customers'] });
    for (const node of nodes) assert.ok(await node.verify(created.secret), 'each node caches the key');
    assert.equal((await call('POST', `/v1/api-keys/${created.id}/revoke`)).status, 200);
    for (const node of nodes)
      await until(async () => (await node.verify(created.secret)) === null, 'the node refuses the revoked key', 3_000);
  });

  test('a rotation without grace and new scopes reach the other nodes', async () => {
    const created = await createKey({ name: 'Shared rotation', scopes: ['read:customers'] });
    for (const node of nodes) assert.ok(await node.verify(created.secret));
    await call('PATCH', `/v1/api-keys/${created.id}`, { scopes: ['read:jobs'] });
    for (const node of nodes)
      await until(
        async () => (await node.verify(created.secret))?.scopes.has('read:jobs') === true,
        'the node sees the new scopes',
        3_000,
      );
    const rotated = await call('POST', `/v1/api-keys/${created.id}/rotate`, { expire_previous_in_seconds: 0 });
    for (const node of nodes)
      await until(
        async () => (await node.verify(created.secret)) === null,
        'the node refuses the rotated-out secret',
        3_000,
      );
    for (const node of nodes) assert.ok(await node.verify(rotated.body.data.secret));
  });

  test("an account's new CORS origins reach the other nodes", async () => {
    for (const node of nodes) assert.equal((await node.verify(account.key))?.allowedOrigins.size, 0);
    assert.equal(
      (await call('PATCH', '/v1/account', { cors_allowed_origins: ['https://app.example.com'] })).status,
      200,
    );
    for (const node of nodes) {
      await until(
        async () => (await node.verify(account.key))?.allowedOrigins.has('https://app.example.com') === true,
        'the node sees the origins',
        3_000,
      );
    }
  });
});
