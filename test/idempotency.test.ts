// Idempotency-Key on POST: a retried request is answered from the first one's recorded
// response and never runs twice, whatever the timing.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { idempotencyRequestHash } from '../src/http/idempotency.ts';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { tenantBatch } from '../src/db/tenant-transaction.ts';

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
  account = await ctx.newAccount();
});
after(async () => ctx.close());

let keys = 0;
const newKey = () => `key-${process.pid}-${++keys}-${Date.now()}`;
const post = (path: string, body: unknown, key: string, who = account) =>
  ctx.call('POST', path, { key: who.key, body, headers: { 'idempotency-key': key } });
const count = async (path: string, who = account) =>
  (await ctx.call('GET', `${path}?count=true&limit=1`, { key: who.key })).body.page.total as number;

describe('Idempotency-Key', () => {
  test('a retry replays the first response byte for byte and creates nothing more', async () => {
    const key = newKey();
    const [customersBefore, eventsBefore] = [await count('/v1/customers'), await count('/v1/events')];
    const first = await post('/v1/customers', { name: 'Once Only' }, key);
    const second = await post('/v1/customers', { name: 'Once Only' }, key);
    assert.equal(first.status, 201);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    assert.equal(second.status, 201);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(second.text, first.text);
    assert.equal(second.headers.get('location'), first.headers.get('location'));
    assert.equal(second.headers.get('content-type'), first.headers.get('content-type'));
    assert.equal(await count('/v1/customers'), customersBefore + 1);
    assert.equal(await count('/v1/events'), eventsBefore + 1);
  });

  test('the same key with a different body is 422 idempotency_key_reused and changes nothing', async () => {
    const key = newKey();
    await post('/v1/customers', { name: 'First Body' }, key);
    const before = await count('/v1/customers');
    const reused = await post('/v1/customers', { name: 'Second Body' }, key);
    assert.equal(reused.status, 422);
    assert.equal(reused.body.code, 'idempotency_key_reused');
    const otherPath = await post('/v1/users', { name: 'First Body', email: 'first@example.com' }, key);
    assert.equal(otherPath.body.code, 'idempotency_key_reused', 'a key names one request: path included');
    assert.equal(await count('/v1/customers'), before);
  });

  test('concurrent duplicates run once: the others wait and replay the same response', async () => {
    const key = newKey();
    const before = await count('/v1/customers');
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => post('/v1/customers', { name: 'Concurrent' }, key)),
    );
    assert.equal(await count('/v1/customers'), before + 1, 'executed exactly once');
    const created = responses.filter((r) => r.status === 201);
    assert.equal(created.length, 8, responses.map((r) => `${r.status} ${r.text}`).join('\n'));
    assert.equal(new Set(created.map((r) => r.text)).size, 1);
    assert.equal(created.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 7);
  });

  test('a failed request keeps nothing, so a corrected retry with the same key runs', async () => {
    const key = newKey();
    const failed = await post('/v1/customers', { name: '' }, key);
    assert.equal(failed.status, 422);
    const again = await post('/v1/customers', { name: '' }, key);
    assert.equal(again.headers.get('idempotent-replayed'), null, 'errors are not replayed');
    const fixed = await post('/v1/customers', { name: 'Fixed' }, key);
    assert.equal(fixed.status, 201);
  });

  test('actions are idempotent too: a retried cancel replays instead of failing the lifecycle', async () => {
    const customer = (await post('/v1/customers', { name: 'Action Co' }, newKey())).body.data;
    const job = (await post('/v1/jobs', { title: 'Visit', customer_id: customer.id }, newKey())).body.data;
    const key = newKey();
    const first = await post(`/v1/jobs/${job.id}/cancel`, { reason: 'rain' }, key);
    const retry = await post(`/v1/jobs/${job.id}/cancel`, { reason: 'rain' }, key);
    assert.equal(first.status, 200);
    assert.equal(retry.status, 200);
    assert.equal(retry.text, first.text);
    const plain = await ctx.call('POST', `/v1/jobs/${job.id}/cancel`, { key: account.key, body: { reason: 'rain' } });
    assert.equal(plain.status, 409, 'without the key it is a new request');
  });

  test('keys belong to one account', async () => {
    const other = await ctx.newAccount('Other');
    const key = newKey();
    const mine = await post('/v1/customers', { name: 'Shared Key' }, key);
    const theirs = await post('/v1/customers', { name: 'Shared Key' }, key, other);
    assert.equal(theirs.status, 201);
    assert.equal(theirs.headers.get('idempotent-replayed'), null);
    assert.notEqual(theirs.body.data.id, mine.body.data.id);
  });

  test('a malformed key is 400', async () => {
    for (const key of ['has space', 'x'.repeat(256), 'tab\tkey']) {
      const response = await post('/v1/customers', { name: 'K' }, key);
      assert.equal(response.status, 400, key);
      assert.equal(response.body.code, 'bad_request');
    }
  });

  test('a claim abandoned by a dead request is taken over; a committed one is never run again', async () => {
    const abandoned = newKey();
    const body = { name: 'Recovered' };
    const [ownerKey] = (await ctx.call('GET', '/v1/api-keys', { key: account.key })).body.data;
    const hash = idempotencyRequestHash(ownerKey.id, 'POST', '/v1/customers', body);
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    const insert = (key: string, status: string) =>
      tenantBatch(ctx.db, account.id, [
        {
          sql:
            'INSERT INTO idempotency_keys (account_id, key, request_hash, status, created_at, updated_at) ' +
            'VALUES ($1, $2, $3, $4, $5, $5)',
          parameters: [account.id, key, hash, status, old],
        },
      ]);
    await insert(abandoned, 'in_progress');
    const recovered = await post('/v1/customers', body, abandoned);
    assert.equal(recovered.status, 201, 'in_progress means nothing was committed: safe to run');

    const committed = newKey();
    await insert(committed, 'committed');
    const before = await count('/v1/customers');
    const refused = await post('/v1/customers', body, committed);
    assert.equal(refused.status, 409);
    assert.match(refused.body.detail, /carried out/);
    assert.equal(await count('/v1/customers'), before);
  });

  test('a claim left in progress says the real wait: Retry-After counts down to its takeover', async () => {
    // Issue 26, defect 9: it said `Retry-After: 1` while the key could be taken over only after 5 minutes.
    const key = newKey();
    const body = { name: 'Crashed' };
    const [ownerKey] = (await ctx.call('GET', '/v1/api-keys', { key: account.key })).body.data;
    const hash = idempotencyRequestHash(ownerKey.id, 'POST', '/v1/customers', body);
    const claimedAt = new Date(Date.now() - 60_000).toISOString(); // a request that died a minute ago
    await tenantBatch(ctx.db, account.id, [
      {
        sql:
          'INSERT INTO idempotency_keys (account_id, key, request_hash, status, created_at, updated_at) ' +
          "VALUES ($1, $2, $3, 'in_progress', $4, $4)",
        parameters: [account.id, key, hash, claimedAt],
      },
    ]);
    const before = await count('/v1/customers');
    const busy = await post('/v1/customers', body, key); // waits 10 s for the first, in vain
    assert.equal(busy.status, 409, busy.text);
    const retryAfter = Number(busy.headers.get('retry-after'));
    // 5 minutes from the claim, less the minute gone and the 10 s waited.
    assert.ok(retryAfter >= 225 && retryAfter <= 240, `Retry-After: ${retryAfter}`);
    assert.match(busy.body.detail, new RegExp(`in ${retryAfter} s`));
    assert.equal(await count('/v1/customers'), before);
  });

  test("a write that fails at commit rolls back its key's mark with it, leaving the key free", async () => {
    const key = newKey();
    const select = { sql: 'SELECT status, response_status FROM idempotency_keys WHERE key = $1', parameters: [key] };
    // The reference is only checked inside the commit's round trip, together with the key's mark.
    const failed = await post('/v1/jobs', { title: 'Orphan', customer_id: 'cus_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB' }, key);
    assert.equal(failed.status, 422);
    assert.deepEqual((await tenantBatch(ctx.db, account.id, [select]))[0], []);
    const customer = (await post('/v1/customers', { name: 'Real' }, newKey())).body.data;
    const ok = await post('/v1/jobs', { title: 'Orphan', customer_id: customer.id }, newKey());
    assert.equal(ok.status, 201);
    const done = newKey();
    await post('/v1/customers', { name: 'Atomic' }, done);
    assert.deepEqual((await tenantBatch(ctx.db, account.id, [{ ...select, parameters: [done] }]))[0], [
      { status: 'completed', response_status: 201 },
    ]);
  });
});

test('every POST made with a credential documents the Idempotency-Key header and the replay header', () => {
  // Keys are kept per account: operations open to anyone (sign-up, the OAuth protocol) take none,
  // nor do platform operators' (no account holds their keys); receivers of providers' events are
  // idempotent by the provider's event id instead.
  const everyPost = Object.values(ctx.openapi.paths).flatMap((item: any) => (item.post ? [item.post] : []));
  const byOperator = (operation: any) => operation.security.some((s: object) => 'operatorSession' in s);
  const posts = everyPost.filter((operation) => operation.security.length > 0 && !byOperator(operation));
  assert.ok(posts.length > 10);
  const keyless = everyPost.filter((operation) => operation.security.length === 0 || byOperator(operation));
  assert.ok(keyless.some(byOperator), 'the platform operations are in the document');
  for (const open of keyless) {
    const documented = open.parameters.some((p: any) => p.$ref === '#/components/parameters/IdempotencyKey');
    assert.equal(documented, false, `${open.operationId} keeps no key in an account, so it documents none`);
  }
  for (const operation of posts) {
    assert.ok(
      operation.parameters.some((p: any) => p.$ref === '#/components/parameters/IdempotencyKey'),
      operation.operationId,
    );
    const success = Object.entries(operation.responses).find(([status]) => status.startsWith('2'))![1] as any;
    assert.ok(success.headers['Idempotent-Replayed'], operation.operationId);
  }
  assert.equal(ctx.openapi.components.parameters.IdempotencyKey.in, 'header');
});
