// Contacts and their tags: a contact carries the ids of the account's tags; tagging one, many
// or taking a tag off are each recorded as contact.updated; deleting a tag takes it off every
// contact; bulk tagging is all or nothing; another account's tags and contacts are 404/422.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { assertNames, assertProblem } from './support/problem-assertions.ts';

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
});
after(async () => {
  await ctx.close();
});
beforeEach(async () => {
  account = await ctx.newAccount('Contacts Co');
});

const { call, created: create } = accountClient(
  () => ctx,
  () => account,
);

const tagIdsOf = async (id: string) => (await call('GET', `/v1/contacts/${id}`)).body.data.tag_ids;

describe('contact tags', () => {
  test('tag and untag one contact; repeating either changes nothing; the list filters by tag', async () => {
    const grace = await create('contacts', { first_name: 'Grace', last_name: 'Hopper' });
    const ada = await create('contacts', { first_name: 'Ada' });
    const vip = await create('contact-tags', { name: 'vip', color: '#1E88E5' });
    const tagged = await call('POST', `/v1/contacts/${grace.id}/tags`, { tag_id: vip.id });
    assert.equal(tagged.status, 200, tagged.text);
    assert.deepEqual(tagged.body.data.tag_ids, [vip.id]);
    assert.deepEqual((await call('POST', `/v1/contacts/${grace.id}/tags`, { tag_id: vip.id })).body.data.tag_ids, [
      vip.id,
    ]);
    const filtered = await call('GET', `/v1/contacts?tag_ids=${vip.id}`);
    assert.deepEqual(
      filtered.body.data.map((c: any) => c.id),
      [grace.id],
    );

    const untagged = await call('DELETE', `/v1/contacts/${grace.id}/tags/${vip.id}`);
    assert.equal(untagged.status, 200, untagged.text);
    assert.deepEqual(untagged.body.data.tag_ids, []);
    assert.deepEqual((await call('DELETE', `/v1/contacts/${grace.id}/tags/${vip.id}`)).body.data.tag_ids, []);
    assert.deepEqual(await tagIdsOf(ada.id), []);

    const events = (await call('GET', `/v1/events?type=contact.updated&limit=10`)).body.data;
    assert.deepEqual(
      events.map((e: any) => e.data.previous_attributes.tag_ids).reverse(),
      [[], [vip.id]],
      'one event per change, none for the repeats',
    );
  });

  test('tag_ids is read-only: PATCH cannot set it', async () => {
    const grace = await create('contacts', { first_name: 'Grace' });
    const vip = await create('contact-tags', { name: 'vip' });
    const refused = await call('PATCH', `/v1/contacts/${grace.id}`, { tag_ids: [vip.id] });
    assertProblem(refused, 422, 'validation_failed');
    assert.deepEqual(await tagIdsOf(grace.id), []);
  });

  test('unknown or foreign tags and contacts are refused and change nothing', async () => {
    const other = await ctx.newAccount('Other Co');
    const theirTag = await create('contact-tags', { name: 'theirs' }, other.key);
    const theirContact = await create('contacts', { first_name: 'Theirs' }, other.key);
    const grace = await create('contacts', { first_name: 'Grace' });
    assertNames(
      assertProblem(
        await call('POST', `/v1/contacts/${grace.id}/tags`, { tag_id: theirTag.id }),
        422,
        'validation_failed',
      ),
      'tag_id',
    );
    assertProblem(await call('DELETE', `/v1/contacts/${grace.id}/tags/${theirTag.id}`), 404, 'not_found');
    assertProblem(
      await call('POST', `/v1/contacts/${theirContact.id}/tags`, { tag_id: theirTag.id }),
      404,
      'not_found',
    );
    assertProblem(await call('DELETE', `/v1/contacts/not-an-id/tags/${theirTag.id}`), 404, 'not_found');
    assertProblem(await call('POST', `/v1/contacts/${grace.id}/tags`, {}), 422, 'validation_failed');
    assert.deepEqual(await tagIdsOf(grace.id), []);
    assert.deepEqual(
      (await call('GET', `/v1/contacts/${theirContact.id}`, undefined, other.key)).body.data.tag_ids,
      [],
    );
  });

  test('bulk-tag adds and removes on many contacts at once, all or nothing', async () => {
    const people = await Promise.all(['A', 'B', 'C'].map((name) => create('contacts', { first_name: name })));
    const [vip, late] = await Promise.all([
      create('contact-tags', { name: 'vip' }),
      create('contact-tags', { name: 'pays late' }),
    ]);
    await call('POST', `/v1/contacts/${people[0].id}/tags`, { tag_id: late.id });

    const bulk = await call('POST', '/v1/contacts/bulk-tag', {
      contact_ids: people.map((p) => p.id),
      add: [vip.id],
      remove: [late.id],
    });
    assert.equal(bulk.status, 200, bulk.text);
    assert.deepEqual(bulk.body.data, { object: 'contact_bulk_tag', updated: 3, unchanged: 0 });
    for (const person of people) assert.deepEqual(await tagIdsOf(person.id), [vip.id]);
    assert.deepEqual(
      (await call('POST', '/v1/contacts/bulk-tag', { contact_ids: [people[0].id], add: [vip.id] })).body.data.unchanged,
      1,
    );

    const theirTagLike = 'tag_01J00000000000000000000000';
    const refused = await call('POST', '/v1/contacts/bulk-tag', {
      contact_ids: [people[1].id, 'con_01J00000000000000000000000'],
      add: [late.id],
    });
    assertNames(assertProblem(refused, 422, 'validation_failed'), 'contact_ids.1');
    assertNames(
      assertProblem(
        await call('POST', '/v1/contacts/bulk-tag', {
          contact_ids: [people[1].id],
          add: [vip.id],
          remove: [theirTagLike],
        }),
        422,
        'validation_failed',
      ),
      'remove.0',
    );
    assert.deepEqual(await tagIdsOf(people[1].id), [vip.id], 'the known contact did not change either');
    assertProblem(
      await call('POST', '/v1/contacts/bulk-tag', { contact_ids: [people[1].id] }),
      422,
      'validation_failed',
    );
  });

  test('deleting a tag takes it off every contact that carried it', async () => {
    const people = await Promise.all(['A', 'B'].map((name) => create('contacts', { first_name: name })));
    const [vip, keep] = await Promise.all([
      create('contact-tags', { name: 'vip' }),
      create('contact-tags', { name: 'keep' }),
    ]);
    await call('POST', '/v1/contacts/bulk-tag', { contact_ids: people.map((p) => p.id), add: [vip.id, keep.id] });
    assert.equal((await call('DELETE', `/v1/contact-tags/${vip.id}`)).status, 200);
    for (const person of people) assert.deepEqual(await tagIdsOf(person.id), [keep.id]);
  });

  test('notes are listed under their contact', async () => {
    const grace = await create('contacts', { first_name: 'Grace' });
    await create('contact-notes', { contact_id: grace.id, body: 'Gate code 4411' });
    const notes = await call('GET', `/v1/contacts/${grace.id}/notes`);
    assert.deepEqual(
      notes.body.data.map((n: any) => n.body),
      ['Gate code 4411'],
    );
  });
});
