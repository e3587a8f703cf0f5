// Notifications: each is for one team member; read, unread and read-all change only the read
// state (each an event); the unread count follows; a user of another account is refused.
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
  account = await ctx.newAccount('Inbox Co');
});

const { call, created: create } = accountClient(
  () => ctx,
  () => account,
);

const unreadOf = async (userId: string) =>
  (await call('GET', `/v1/notifications/unread-count?user_id=${userId}`)).body.data.unread;

describe('notifications', () => {
  test("read and unread move one notification; read-all the rest of one user's, not another's", async () => {
    const [ann, bob] = await Promise.all([
      create('users', { name: 'Ann', email: 'ann@inbox.example' }),
      create('users', { name: 'Bob', email: 'bob@inbox.example' }),
    ]);
    const first = await create('notifications', {
      user_id: ann.id,
      title: 'Job assigned',
      category: 'job',
      link: '/v1/jobs/job_x',
    });
    await create('notifications', { user_id: ann.id, title: 'Second' });
    await create('notifications', { user_id: bob.id, title: 'For Bob' });
    assert.deepEqual([first.read, first.read_at], [false, null]);
    assert.equal(await unreadOf(ann.id), 2);

    const read = await call('POST', `/v1/notifications/${first.id}/read`);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.body.data.read, true);
    assert.ok(read.body.data.read_at);
    assert.equal(await unreadOf(ann.id), 1);
    assert.equal((await call('POST', `/v1/notifications/${first.id}/unread`)).body.data.read, false);
    assert.deepEqual((await call('GET', `/v1/notifications?user_id=${ann.id}&read=false`)).body.data.length, 2);

    const all = await call('POST', '/v1/notifications/read-all', { user_id: ann.id });
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.body.data, { object: 'notification_read_all', user_id: ann.id, updated: 2 });
    assert.equal(await unreadOf(ann.id), 0);
    assert.equal(await unreadOf(bob.id), 1, "another user's stay unread");
    assert.equal((await call('POST', '/v1/notifications/read-all', { user_id: ann.id })).body.data.updated, 0);
    const events = (await call('GET', '/v1/events?type=notification.read&limit=10')).body.data;
    assert.equal(events.length, 3, 'one read event per notification that changed');
  });

  test('what a notification says cannot be edited; a user of another account is refused', async () => {
    const other = await ctx.newAccount('Other Co');
    const stranger = await create('users', { name: 'Stranger', email: 'stranger@other.example' }, other.key);
    const ann = await create('users', { name: 'Ann', email: 'ann@inbox.example' });
    const note = await create('notifications', { user_id: ann.id, title: 'Hello' });
    assertProblem(await call('PATCH', `/v1/notifications/${note.id}`, { title: 'Changed' }), 405, 'method_not_allowed');
    assertProblem(
      await call('POST', '/v1/notifications', { user_id: stranger.id, title: 'Hi' }),
      422,
      'validation_failed',
    );
    assertNames(
      assertProblem(
        await call('POST', '/v1/notifications/read-all', { user_id: stranger.id }),
        422,
        'validation_failed',
      ),
      'user_id',
    );
    assertNames(
      assertProblem(
        await call('GET', `/v1/notifications/unread-count?user_id=${stranger.id}`),
        422,
        'validation_failed',
      ),
      'user_id',
    );
    assertProblem(await call('GET', '/v1/notifications/unread-count'), 400, 'bad_request');
    assert.equal(
      (await call('GET', `/v1/notifications/unread-count?user_id=${stranger.id}`, undefined, other.key)).body.data
        .unread,
      0,
    );
  });
});
