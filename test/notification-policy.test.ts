// The notification policy: a technician hears of a job assigned to them or taken from them, moved
// or cancelled, and an assignee of a ticket; in the app always, and by push, mail or text as their
// preferences say. A notice commits with its change: a refused change tells no one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { memberWithRole, signUp } from './support/members.ts';
import { browserSubscription, startPushService } from './support/push-service.ts';
import { pushRelay } from '../src/delivery/push/push-services.ts';

let t: TestContext;
let pushService: Awaited<ReturnType<typeof startPushService>>;
let owner: { cookie: string; accountId: string };
let ann: { cookie: string; userId: string };
let bob: { cookie: string; userId: string };
let annBrowser: ReturnType<typeof browserSubscription>;

/** The owner (a dispatcher at heart) acting with their session. */
const asOwner = (method: string, path: string, body?: unknown) =>
  t.call(method, path, { headers: { cookie: owner.cookie }, body });
const as = (member: { cookie: string }, method: string, path: string, body?: unknown) =>
  t.call(method, path, { headers: { cookie: member.cookie }, body });

before(async () => {
  [t, pushService] = await Promise.all([createTestContext(), startPushService()]);
  owner = await signUp(t, 'owner');
  ann = await memberWithRole(t, owner.cookie, 'technician', 'ann');
  bob = await memberWithRole(t, owner.cookie, 'technician', 'bob');
  annBrowser = browserSubscription(`${pushService.origin}/push/ann`);
  assert.equal((await as(ann, 'POST', '/v1/push-subscriptions', annBrowser)).status, 201);
  await asOwner('PATCH', `/v1/users/${bob.userId}`, { phone: '+1 415 555 0142' });
  await asOwner('PATCH', '/v1/account/branding', { time_zone: 'America/New_York' });
});
after(async () => Promise.all([t.close(), pushService.close()]));

let jobs = 0;
async function newJob() {
  const customer = await asOwner('POST', '/v1/customers', { name: `Customer ${++jobs}` });
  const job = await asOwner('POST', '/v1/jobs', {
    title: `Boiler service ${jobs}`,
    customer_id: customer.body.data.id,
  });
  assert.equal(job.status, 201, job.text);
  return job.body.data as { id: string; title: string };
}
const notificationsOf = async (member: { cookie: string; userId: string }) =>
  (await as(member, 'GET', `/v1/notifications?user_id=${member.userId}&limit=100`)).body.data as any[];
const deliveriesAbout = async (id: string) =>
  ((await asOwner('GET', `/v1/deliveries?resource_id=${id}&limit=100`)).body.data as any[]).map(
    (d) => `${d.channel} ${d.recipient.replace(pushService.origin, '')} ${d.status}`,
  );
const window = (day: number) => ({
  scheduled_start: `2027-01-${day}T14:30:00Z`,
  scheduled_end: `2027-01-${day}T16:00:00Z`,
});

describe('jobs', () => {
  test('assigning tells the technician in the app and on their browser, in the account time zone', async () => {
    const job = await newJob();
    const assigned = await asOwner('POST', `/v1/jobs/${job.id}/assign`, { technician_id: ann.userId, ...window(11) });
    assert.equal(assigned.status, 200, assigned.text);
    const [notice] = await notificationsOf(ann);
    assert.deepEqual(
      [notice.title, notice.body, notice.category, notice.link],
      [`Job assigned to you: ${job.title}`, 'Scheduled: Mon 11 Jan, 09:30.', 'job', `/v1/jobs/${job.id}`],
    );
    assert.deepEqual(await deliveriesAbout(job.id), ['push /push/ann queued'], 'push only, by default');
    await t.runtime.use(pushRelay).deliver(Date.now(), [owner.accountId]);
    const push = pushService.received.findLast((p) => p.path === '/push/ann')!;
    assert.deepEqual(annBrowser.open(push), {
      title: notice.title,
      body: notice.body,
      url: `/v1/jobs/${job.id}`,
      tag: job.id,
    });
    assert.deepEqual(await deliveriesAbout(job.id), ['push /push/ann sent']);
  });

  test('reassigning tells both; moving and cancelling tell the technician by their chosen channels', async () => {
    const job = await newJob();
    await asOwner('POST', `/v1/jobs/${job.id}/assign`, { technician_id: ann.userId, ...window(12) });
    const chosen = await as(bob, 'PATCH', '/v1/users/me/notification-preferences', {
      job_rescheduled: { push: false, email: true, sms: true },
      job_cancelled: { sms: true },
    });
    assert.equal(chosen.status, 200, chosen.text);
    assert.deepEqual(chosen.body.data.job_rescheduled, { push: false, email: true, sms: true });
    assert.deepEqual(chosen.body.data.job_cancelled, { push: true, email: false, sms: true });
    assert.deepEqual(chosen.body.data.job_assigned, { push: true, email: false, sms: false });

    await asOwner('POST', `/v1/jobs/${job.id}/assign`, { technician_id: bob.userId });
    assert.equal((await notificationsOf(ann))[0].title, `Job reassigned: ${job.title}`);
    assert.equal((await notificationsOf(bob))[0].title, `Job assigned to you: ${job.title}`);
    await asOwner('POST', `/v1/jobs/${job.id}/schedule`, window(13));
    const [moved] = await notificationsOf(bob);
    assert.deepEqual(
      [moved.title, moved.body],
      [`Job rescheduled: ${job.title}`, 'Now Wed 13 Jan, 09:30 (was Tue 12 Jan, 09:30).'],
    );
    await asOwner('POST', `/v1/jobs/${job.id}/cancel`, { reason: 'Customer away' });
    assert.equal((await notificationsOf(bob))[0].title, `Job cancelled: ${job.title}`);
    const bobEmail = (await asOwner('GET', `/v1/users/${bob.userId}`)).body.data.email;
    // Ann's browser heard of the assignment and of its end. Bob has no browser subscribed: push is
    // chosen for cancellations but reaches nothing. Texts wait, not_configured, with no SMS provider.
    assert.deepEqual((await deliveriesAbout(job.id)).toSorted(), [
      `email ${bobEmail} queued`,
      'push /push/ann queued',
      'push /push/ann queued',
      'sms +14155550142 not_configured',
      'sms +14155550142 not_configured',
    ]);
  });

  test('a refused change tells no one', async () => {
    const [first, second] = [await newJob(), await newJob()];
    await asOwner('POST', `/v1/jobs/${first.id}/assign`, { technician_id: bob.userId, ...window(20) });
    const before = (await notificationsOf(bob)).length;
    const clash = await asOwner('POST', `/v1/jobs/${second.id}/assign`, { technician_id: bob.userId, ...window(20) });
    assertProblem(clash, 409, 'conflict');
    assert.equal((await notificationsOf(bob)).length, before);
    assert.deepEqual(await deliveriesAbout(second.id), []);
  });
});

describe('tickets', () => {
  test('the assignee hears of a ticket given to them, not of their own doing', async () => {
    const ticket = await asOwner('POST', '/v1/tickets', { subject: 'No hot water', assignee_id: ann.userId });
    assert.equal(ticket.status, 201, ticket.text);
    assert.equal((await notificationsOf(ann))[0].title, 'Ticket assigned to you: No hot water');
    const before = (await notificationsOf(bob)).length;
    await as(bob, 'POST', '/v1/tickets', { subject: 'Van needs tyres', assignee_id: bob.userId });
    assert.equal((await notificationsOf(bob)).length, before, 'not told of what they did themselves');
    await asOwner('PATCH', `/v1/tickets/${ticket.body.data.id}`, { priority: 'high' });
    await asOwner('PATCH', `/v1/tickets/${ticket.body.data.id}`, { assignee_id: bob.userId });
    assert.equal((await notificationsOf(bob))[0].title, 'Ticket assigned to you: No hot water');
    assert.equal(
      (await notificationsOf(ann)).filter((n) => n.link === `/v1/tickets/${ticket.body.data.id}`).length,
      1,
      'a change of priority tells no one',
    );
  });
});

describe('mentions', () => {
  test('a note naming members tells each once, the newly named on an edit, never the author', async () => {
    const contact = await asOwner('POST', '/v1/contacts', { first_name: 'Grace' });
    const conversation = await asOwner('POST', '/v1/conversations', { channel: 'sms' });
    const ownerId = (await asOwner('GET', '/v1/users/me')).body.data.id;
    const [annBefore, bobBefore] = [(await notificationsOf(ann)).length, (await notificationsOf(bob)).length];
    const note = await asOwner('POST', '/v1/contact-notes', {
      contact_id: contact.body.data.id,
      author_id: ownerId,
      body: `<@${ann.userId}> gate code is 4411, <@${ann.userId}> bring the ladder`,
    });
    assert.equal(note.status, 201, note.text);
    const [notice] = await notificationsOf(ann);
    assert.equal((await notificationsOf(ann)).length, annBefore + 1, 'once per note');
    assert.deepEqual(
      [notice.title, notice.body, notice.link],
      [
        'owner mentioned you in a note',
        '@member gate code is 4411, @member bring the ladder',
        `/v1/contacts/${contact.body.data.id}`,
      ],
    );
    await asOwner('PATCH', `/v1/contact-notes/${note.body.data.id}`, {
      body: `<@${ann.userId}> and <@${bob.userId}>: gate code is 4411`,
    });
    assert.equal((await notificationsOf(ann)).length, annBefore + 1, 'not told again of the same note');
    assert.equal((await notificationsOf(bob)).length, bobBefore + 1);
    const own = await asOwner('POST', '/v1/conversation-notes', {
      conversation_id: conversation.body.data.id,
      author_id: bob.userId,
      body: `Note to self <@${bob.userId}>; <@usr_01ARZ3NDEKTSV4RRFFQ69G5FAV> is nobody`,
    });
    assert.equal(own.status, 201, own.text);
    assert.equal((await notificationsOf(bob)).length, bobBefore + 1, 'not told of their own note');
  });
});

describe('preferences', () => {
  test('are each member’s own: bad input is a 422 that changes nothing; an API key has none', async () => {
    const before = (await as(ann, 'GET', '/v1/users/me/notification-preferences')).body.data;
    assert.equal(before.user_id, ann.userId);
    for (const body of [
      { job_assigned: { fax: true } },
      { birthday: { push: true } },
      { job_assigned: { sms: 'yes' } },
    ])
      assertProblem(await as(ann, 'PATCH', '/v1/users/me/notification-preferences', body), 422, 'validation_failed');
    assert.deepEqual((await as(ann, 'GET', '/v1/users/me/notification-preferences')).body.data, before);
    const key = await t.newKey(owner.accountId, ['read:notifications']);
    assertProblem(await t.call('GET', '/v1/users/me/notification-preferences', { key }), 404, 'not_found');
  });
});
