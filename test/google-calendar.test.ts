// The Google Calendar connector against the local fake Google (Calendar API v3): each technician
// connects their own calendar (signed in as themselves); their booked jobs become events there
// only (moved with the job, removed when cancelled, moved to the other's calendar when
// reassigned, made once however often a step is redone); their busy times become their schedule
// blocks, which dispatch honours; 429 waits; a refused grant is that member's alone; members see
// and disconnect only their own connection, another account none.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemQuery } from '../src/db/system-query.ts';
import { syncRunner } from '../src/integrations/integration-operations.ts';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { startFakeGoogle, type FakeGoogle } from './support/fake-google.ts';
import { memberWithRole, signUp } from './support/members.ts';

let google: FakeGoogle;
let t: TestContext;
let owner: Awaited<ReturnType<typeof signUp>>;
let ada: { cookie: string; userId: string; email: string };
let bob: { cookie: string; userId: string; email: string };
let people = 0;

before(async () => {
  google = await startFakeGoogle();
  t = await createTestContext({ integrations: google.settings });
});
after(async () => {
  await t.close();
  await google.close();
});

const as = (who: { cookie: string }) => (method: string, path: string, body?: unknown) =>
  t.call(method, path, { headers: { cookie: who.cookie }, body });

/** Runs this account's due syncs (suites sharing a PostgreSQL database each drain only their own). */
const runSyncs = (now = Date.now()) => t.runtime.use(syncRunner).runDue(now, { accountIds: [owner.accountId] });

async function connect(who: { cookie: string; email: string }) {
  const start = await as(who)('GET', '/v1/integrations/google-calendar/authorize');
  assert.equal(start.status, 302, start.text);
  const back = google.consent(start.headers.get('location')!, who.email);
  const callback = await t.call('GET', back, { headers: { cookie: who.cookie, accept: 'application/json' } });
  assert.equal(callback.status, 200, callback.text);
  return callback.body.data;
}

async function sync(who: { cookie: string }, now?: number) {
  const started = await as(who)('POST', '/v1/integrations/google-calendar/sync', {});
  assert.equal(started.status, 202, started.text);
  await runSyncs(now);
  return (await as(who)('GET', `/v1/integration-syncs/${started.body.data.id}`)).body.data;
}

/** An hour of a day from tomorrow on, RFC 3339 with milliseconds. */
const at = (days: number, hour: number) => {
  const day = new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  return `${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;
};
const events = (who: { email: string }) => google.calendar.events(who.email);
const summaries = (who: { email: string }) =>
  events(who)
    .map((e) => e.summary)
    .sort();

async function created(collection: string, body: unknown) {
  const res = await as(owner)('POST', `/v1/${collection}`, body);
  assert.equal(res.status, 201, res.text);
  return res.body.data;
}

async function bookedJob(title: string, technicianId: string, start: string, end: string) {
  const customer = await created('customers', { name: `${title} site` });
  const job = await created('jobs', { title, customer_id: customer.id });
  const assigned = await as(owner)('POST', `/v1/jobs/${job.id}/assign`, {
    technician_id: technicianId,
    scheduled_start: start,
    scheduled_end: end,
  });
  assert.equal(assigned.status, 200, assigned.text);
  return job;
}

beforeEach(async () => {
  owner = await signUp(t, 'owner');
  const tech = async (name: string) => ({
    ...(await memberWithRole(t, owner.cookie, 'technician', name)),
    email: `${name}${++people}@gmail.example`,
  });
  ada = await tech('ada');
  bob = await tech('bob');
  await connect(ada);
  await connect(bob);
});

describe('Google Calendar, per technician', () => {
  test("each one's jobs land in their own calendar: made once, moved, removed, moved on reassign", async () => {
    const boiler = await bookedJob('Boiler service', ada.userId, at(1, 9), at(1, 11));
    await bookedJob('Leak', bob.userId, at(2, 14), at(2, 15));
    // Booking queued each technician's calendar sync (trigger `change`): one drain runs them.
    await runSyncs();
    assert.deepEqual(summaries(ada), ['Boiler service']);
    assert.deepEqual(summaries(bob), ['Leak']);
    const [event] = events(ada);
    assert.equal(event.start.dateTime, at(1, 9));
    assert.equal(event.extendedProperties?.private?.fieldlineJobId, boiler.id);

    const again = await sync(ada);
    assert.equal(again.status, 'succeeded', again.error);
    assert.equal(events(ada).length, 1, 'no duplicates');
    const inserts = () => google.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/events')).length;
    const patches = () => google.requests.filter((r) => r.method === 'PATCH').length;
    assert.equal(inserts(), 2);
    assert.equal(patches(), 0, 'nothing moved, nothing sent');

    const moved = await as(owner)('POST', `/v1/jobs/${boiler.id}/schedule`, {
      scheduled_start: at(3, 10),
      scheduled_end: at(3, 12),
    });
    assert.equal(moved.status, 200, moved.text);
    await runSyncs();
    assert.equal(events(ada)[0].start.dateTime, at(3, 10), 'moved with the job');
    assert.equal(patches(), 1);

    // Given to Bob: gone from Ada's calendar, in Bob's.
    const reassigned = await as(owner)('POST', `/v1/jobs/${boiler.id}/assign`, {
      technician_id: bob.userId,
      scheduled_start: at(3, 10),
      scheduled_end: at(3, 12),
    });
    assert.equal(reassigned.status, 200, reassigned.text);
    await runSyncs();
    assert.deepEqual(summaries(ada), []);
    assert.deepEqual(summaries(bob), ['Boiler service', 'Leak']);

    assert.equal((await as(owner)('POST', `/v1/jobs/${boiler.id}/cancel`, {})).status, 200);
    await runSyncs();
    assert.deepEqual(summaries(bob), ['Leak']);
  });

  test('busy times are schedule blocks of that technician: a booking over one is a 409', async () => {
    google.calendar.addEvent(ada.email, { summary: 'Dentist', start: at(1, 13), end: at(1, 14) });
    google.calendar.addEvent(ada.email, {
      summary: 'Free',
      start: at(1, 8),
      end: at(1, 9),
      transparency: 'transparent',
    });
    const run = await sync(ada);
    assert.equal(run.status, 'succeeded', run.error);
    assert.equal(run.created_count, 1);
    const blocks = async (id: string) =>
      (await as(owner)('GET', `/v1/schedule-blocks?technician_id=${id}`)).body.data as any[];
    assert.deepEqual(
      (await blocks(ada.userId)).map((b) => [b.starts_at, b.ends_at, b.note]),
      [[at(1, 13), at(1, 14), 'Busy in Google Calendar: Dentist']],
    );
    assert.deepEqual(await blocks(bob.userId), [], "Ada's busy time is not Bob's");

    const customer = await created('customers', { name: 'Site' });
    const job = await created('jobs', { title: 'Clash', customer_id: customer.id });
    const window = { scheduled_start: at(1, 13), scheduled_end: at(1, 15) };
    const clash = await as(owner)('POST', `/v1/jobs/${job.id}/assign`, { technician_id: ada.userId, ...window });
    assert.equal(clash.status, 409, clash.text);
    const free = await as(owner)('POST', `/v1/jobs/${job.id}/assign`, { technician_id: bob.userId, ...window });
    assert.equal(free.status, 200, free.text);

    const twice = await sync(ada);
    assert.equal(twice.created_count, 0);
    assert.equal((await blocks(ada.userId)).length, 1, 'synced twice: one block');
  });

  test('a step redone after its events were made makes none twice; a 429 waits for Retry-After', async () => {
    const boiler = await bookedJob('Boiler service', ada.userId, at(1, 9), at(1, 11));
    // The run fails after the event was inserted (the busy-time read answers garbage): nothing committed.
    google.fail({ path: '/calendars/primary/events', when: (q) => q.has('timeMin'), status: 200, body: '{"items":7}' });
    await runSyncs();
    assert.equal(events(ada).length, 1);
    const [failed] = await systemQuery(t.db, {
      sql: `SELECT status FROM integration_syncs WHERE account_id = $1 AND member_id = $2 ORDER BY created_at DESC`,
      parameters: [owner.accountId, ada.userId],
    });
    assert.equal(failed.status, 'failed');
    const redone = await sync(ada);
    assert.equal(redone.status, 'succeeded', redone.error);
    assert.equal(events(ada).length, 1, 'the redone insert met 409 and patched the event the first made');

    // The next call to Google (the move's PATCH) is refused with 429.
    google.fail({ path: '', status: 429, headers: { 'retry-after': '120' } });
    const moved = await as(owner)('POST', `/v1/jobs/${boiler.id}/schedule`, {
      scheduled_start: at(2, 9),
      scheduled_end: at(2, 11),
    });
    assert.equal(moved.status, 200, moved.text);
    await runSyncs();
    const [waiting] = await systemQuery(t.db, {
      sql: `SELECT status, run_after FROM integration_syncs WHERE account_id = $1 AND member_id = $2
             ORDER BY created_at DESC`,
      parameters: [owner.accountId, ada.userId],
    });
    assert.equal(waiting.status, 'queued');
    assert.ok(new Date(waiting.run_after).getTime() > Date.now() + 100_000, 'waits the 120 s Google asked');
    assert.equal(events(ada)[0].start.dateTime, at(1, 9), 'not moved yet');
    await runSyncs(Date.now() + 121_000);
    assert.equal(events(ada)[0].start.dateTime, at(2, 9), 'moved once the wait was over');
  });

  test("a refused grant is that member's alone: needs_reauth for Ada, Bob syncs on", async () => {
    google.revokeAll(ada.email);
    const failed = await sync(ada);
    assert.equal(failed.status, 'failed');
    const mine = await as(ada)('GET', '/v1/integrations/google-calendar/status');
    assert.equal(mine.body.data.status, 'needs_reauth');
    const his = await as(bob)('GET', '/v1/integrations/google-calendar/status');
    assert.equal(his.body.data.status, 'connected');
    assert.equal((await sync(bob)).status, 'succeeded');
  });

  test("members see and disconnect only their own; an owner sees all; another account's is a 404", async () => {
    const list = async (who: { cookie: string }) =>
      ((await as(who)('GET', '/v1/integrations')).body.data as any[]).map((i) => i.member_id).sort();
    assert.deepEqual(await list(ada), [ada.userId]);
    assert.deepEqual(await list(owner), [ada.userId, bob.userId].sort());
    const adas = (await as(ada)('GET', '/v1/integrations/google-calendar/status')).body.data.integration_id;
    assert.equal((await as(bob)('GET', `/v1/integrations/${adas}`)).status, 404);
    assert.equal((await as(bob)('DELETE', `/v1/integrations/${adas}`)).status, 404);
    const runs = (await as(bob)('GET', '/v1/integration-syncs')).body.data as any[];
    assert.ok(runs.every((run) => run.member_id === bob.userId));
    // A calendar is a member's own: an API key (no member) cannot connect one.
    const key = await t.newKey(owner.accountId, ['read:*', 'write:*']);
    const byKey = await t.call('GET', '/v1/integrations/google-calendar/authorize', { key });
    assert.equal(byKey.status, 403, byKey.text);
    // A technician does not manage the account's mailbox.
    assert.equal((await as(bob)('GET', '/v1/integrations/gmail/authorize')).status, 403);

    const stranger = await signUp(t, 'stranger');
    assert.equal((await as(stranger)('GET', `/v1/integrations/${adas}`)).status, 404);
    assert.equal((await as(stranger)('DELETE', `/v1/integrations/${adas}`)).status, 404);

    const gone = await as(ada)('DELETE', '/v1/integrations/google-calendar');
    assert.equal(gone.status, 200, gone.text);
    assert.equal(gone.body.data.status, 'disconnected');
    assert.equal((await as(bob)('GET', '/v1/integrations/google-calendar/status')).body.data.status, 'connected');
    const owners = await as(owner)(
      'DELETE',
      `/v1/integrations/${(await as(bob)('GET', '/v1/integrations/google-calendar/status')).body.data.integration_id}`,
    );
    assert.equal(owners.status, 200, 'an owner disconnects a member’s calendar');
  });
});
