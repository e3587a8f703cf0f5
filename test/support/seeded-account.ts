// An account with an owner signed in and a row in every collection the API can create (the
// tenancy suite's fixtures), a job photo in the file storage, and a key whose secret the test
// knows: what the account export and deletion suites take away and count.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { systemTransaction } from '../../src/db/system-query.ts';
import { prepareApiKey } from '../../src/auth/api-keys.ts';
import { Fixtures } from './fixtures.ts';
import { signUp } from './members.ts';
import { multipartBody, TINY_PNG } from './uploads.ts';
import type { TestContext } from './test-context.ts';

export interface SeededAccount {
  id: string;
  ownerCookie: string;
  key: string;
  keySha256: string;
  webhookSecret: string;
  photo: { id: string; bytes: Buffer };
}

export async function seededAccount(ctx: TestContext, name: string): Promise<SeededAccount> {
  const owner = await signUp(ctx, name);
  const minted = prepareApiKey({
    accountId: owner.accountId,
    name: 'seeding',
    mode: 'live',
    scopes: ['read:*', 'write:*'],
  });
  await systemTransaction(ctx.db, minted.statements);
  const account = { id: owner.accountId, key: minted.secret };
  const fixtures = new Fixtures(ctx, account);
  let webhookSecret = '';
  for (const resource of ctx.registry.resources.filter((r) => r.operations.has('create'))) {
    const row = await fixtures.create(resource, 1);
    if (resource.collection === 'webhook-endpoints') webhookSecret = row.secret;
  }
  assert.match(webhookSecret, /^whsec_/);
  const job = (await ctx.call('GET', '/v1/jobs?limit=1', { key: account.key })).body.data[0];
  const photoBytes = Buffer.concat([TINY_PNG, Buffer.from(name)]);
  const form = await multipartBody({ caption: 'Before' }, { bytes: photoBytes });
  const photo = await ctx.call('POST', `/v1/jobs/${job.id}/photos`, {
    key: account.key,
    rawBody: form.rawBody,
    headers: form.headers,
  });
  assert.equal(photo.status, 200, photo.text);
  return {
    id: owner.accountId,
    ownerCookie: owner.cookie,
    key: minted.secret,
    keySha256: createHash('sha256').update(minted.secret).digest('hex'),
    webhookSecret,
    photo: { id: photo.body.data.id, bytes: photoBytes },
  };
}
