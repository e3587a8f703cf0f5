// Credential versions: a bump is seen by the next read, and without Redis (or while it cannot
// answer) nothing is known, so callers trust their caches as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { CredentialVersions, stillCurrent } from './credential-versions.ts';

test('stillCurrent: equal versions, or nothing to compare, trust the cached entry', () => {
  assert.equal(stillCurrent(['1', '0'], ['1', '0']), true);
  assert.equal(stillCurrent(['1', '0'], ['2', '0']), false);
  assert.equal(stillCurrent(['1'], ['1', '0']), false);
  assert.equal(stillCurrent(undefined, ['1']), true, 'cached while Redis could not answer');
  assert.equal(stillCurrent(['1'], null), true, 'Redis cannot answer now');
});

test('without Redis nothing is versioned', async () => {
  const versions = new CredentialVersions(undefined);
  assert.equal(versions.shared, false);
  await versions.bump(['key:key_x']);
  assert.equal(await versions.read(['key:key_x']), null);
});

test(
  'a bump is seen by the next read, on any client',
  { skip: !process.env.REDIS_URL && 'REDIS_URL not set' },
  async () => {
    const [a, b] = [new Redis(process.env.REDIS_URL!), new Redis(process.env.REDIS_URL!)];
    try {
      const [nodeA, nodeB] = [new CredentialVersions(a), new CredentialVersions(b)];
      const key = `key:key_${randomBytes(8).toString('hex')}`;
      const other = `person:per_${randomBytes(8).toString('hex')}`;
      const before = await nodeB.read([key, other]);
      assert.deepEqual(before, ['0', '0']);
      await nodeA.bump([key]);
      const after = await nodeB.read([key, other]);
      assert.equal(stillCurrent(before!, after), false);
      assert.equal(after![1], '0', 'only the bumped subject changed');
    } finally {
      a.disconnect();
      b.disconnect();
    }
  },
);

test('a Redis that cannot answer reads as unknown, and a bump does not throw', async () => {
  const dead = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  try {
    const versions = new CredentialVersions(dead);
    await versions.bump(['key:key_x']);
    assert.equal(await versions.read(['key:key_x']), null);
  } finally {
    dead.disconnect();
  }
});
