// Per-key rate limits as part of the API-key resource: `rate_limits` is written on create and
// update by owners and admins, refused above the plan's ceiling (400 naming it), shown on reads,
// and applied from the key's next request (the credential cache forgets the key at once).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { memberWithRole, signUp } from './support/members.ts';

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
  account = await ctx.newAccount('Rate Keys Co', { plan: 'free' });
});
after(async () => {
  await ctx.close();
});

const { call } = accountClient(
  () => ctx,
  () => account,
);

const reads = async (key: string, n: number) => {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await call('GET', '/v1/customers', undefined, key)).status);
  return statuses;
};

describe('rate_limits on API keys', () => {
  test('set on create, shown on reads, applied: the third read in the window is 429', async () => {
    const created = await call('POST', '/v1/api-keys', {
      name: 'Slow integration',
      scopes: ['read:customers'],
      rate_limits: { read: { limit: 2, window_seconds: 60 } },
    });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.body.data.rate_limits, { read: { limit: 2, window_seconds: 60 } });
    const fetched = await call('GET', `/v1/api-keys/${created.body.data.id}`);
    assert.deepEqual(fetched.body.data.rate_limits, { read: { limit: 2, window_seconds: 60 } });
    const key = created.body.data.secret;
    assert.deepEqual(await reads(key, 2), [200, 200]);
    const refused = await call('GET', '/v1/customers', undefined, key);
    assertProblem(refused, 429, 'rate_limited');
    assert.match(refused.headers.get('ratelimit-policy') ?? '', /;q=2;w=60$/);
  });

  test('an update applies from the key’s next request; null gives back the plan’s rates', async () => {
    const created = await call('POST', '/v1/api-keys', { name: 'Busy', scopes: ['read:customers'] });
    const { id, secret } = created.body.data;
    assert.equal(created.body.data.rate_limits, null);
    assert.deepEqual(await reads(secret, 2), [200, 200], 'warm: the key is cached with the plan’s rates');
    const updated = await call('PATCH', `/v1/api-keys/${id}`, { rate_limits: { read: { limit: 3 } } });
    assert.equal(updated.status, 200, updated.text);
    // A new policy counts afresh: 3 in the window, then 429.
    assert.deepEqual(await reads(secret, 4), [200, 200, 200, 429]);
    const cleared = await call('PATCH', `/v1/api-keys/${id}`, { rate_limits: null });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.body.data.rate_limits, null);
    assert.equal((await reads(secret, 1))[0], 200, "the free plan's 600 a minute again");
  });

  test("above the plan's ceiling is a 400 naming it, and nothing changes", async () => {
    // The free plan reads 600 a minute.
    const above = [
      { read: { limit: 601 } },
      { read: { limit: 600, window_seconds: 30 } },
      { expensive: { limit: 31, window_seconds: 60 } },
    ];
    for (const rate_limits of above) {
      const refused = assertProblem(
        await call('POST', '/v1/api-keys', { name: 'Greedy', scopes: ['read:customers'], rate_limits }),
        400,
        'bad_request',
      );
      assert.match(refused.detail, /ceiling/);
      assert.match(refused.errors[0].message, /'free' plan's ceiling of (600|30) per 60 s/);
    }
    const created = await call('POST', '/v1/api-keys', { name: 'Fine', scopes: ['read:customers'] });
    const patched = await call('PATCH', `/v1/api-keys/${created.body.data.id}`, {
      rate_limits: { read: { limit: 10_000 } },
    });
    assertProblem(patched, 400, 'bad_request');
    assert.equal((await call('GET', `/v1/api-keys/${created.body.data.id}`)).body.data.rate_limits, null);
  });

  test('malformed rate limits are 422 naming the field', async () => {
    for (const rate_limits of [
      { read: { limit: 0 } },
      { read: {} },
      { reads: { limit: 5 } },
      { read: { limit: 5, window_seconds: 90_000 } },
      { read: { limit: 1.5 } },
      'fast',
    ]) {
      const refused = assertProblem(
        await call('POST', '/v1/api-keys', { name: 'Bad', scopes: ['read:customers'], rate_limits }),
        422,
        'validation_failed',
      );
      assert.ok(
        refused.errors.some((e: any) => e.path.startsWith('rate_limits')),
        JSON.stringify(refused.errors),
      );
    }
  });

  test('owners set them; members who are not owners or admins cannot', async () => {
    const owner = await signUp(ctx, 'Olive');
    const dispatcher = await memberWithRole(ctx, owner.cookie, 'dispatcher');
    const body = { name: 'Mine', scopes: ['read:customers'], rate_limits: { read: { limit: 5 } } };
    const refused = await ctx.call('POST', '/v1/api-keys', { headers: { cookie: dispatcher.cookie }, body });
    assertProblem(refused, 403, 'insufficient_scope');
    const made = await ctx.call('POST', '/v1/api-keys', { headers: { cookie: owner.cookie }, body });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual(made.body.data.rate_limits, { read: { limit: 5 } });
  });
});
