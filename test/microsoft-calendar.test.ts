// Microsoft calendars against the local fake Microsoft. Each technician connects their own
// Outlook calendar (`microsoft-calendar`, signed in as themselves): their booked jobs become
// Outlook events (moved with the job, deleted when it is no longer theirs, made once however often
// a step is redone), and their Outlook busy times become their schedule blocks, which dispatch's
// conflict detection honours (moved and removed with the event). The account's Microsoft 365
// mailbox keeps its `calendar` sync: the calendar of the member with the mailbox's address.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemQuery } from '../src/db/system-query.ts';
import { syncRunner } from '../src/integrations/integration-operations.ts';
import { createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { startFakeMicrosoft, type FakeMailbox, type FakeMicrosoft } from './support/fake-microsoft.ts';
import { memberWithRole, signUp } from './support/members.ts';

let microsoft: FakeMicrosoft;
let t: TestContext;
let account: TestAccount;
let owner: Awaited<ReturnType<typeof signUp>>;
let mailbox: FakeMailbox;
let technician: { id: string; cookie: string };
let people = 0;

before(async () => {
  microsoft = await startFakeMicrosoft();
  t = await createTestContext({ integrations: microsoft.settings });
});
after(async () => {
  await t.close();
  await microsoft.close();
});

/** Runs this account's due syncs (suites sharing a PostgreSQL database each drain only their own). */
const runSyncs = (now = Date.now()) => t.runtime.use(syncRunner).runDue(now, { accountIds: [owner.accountId] });

/** The owner's calls (the account's work: customers, jobs, dispatch). */
const call = (method: string, path: string, body?: unknown) =>
  t.call(method, path, { headers: { cookie: owner.cookie }, body });
const asTechnician = (method: string, path: string, body?: unknown) =>
  t.call(method, path, { headers: { cookie: technician.cookie }, body });
async function created(collection: string, body: unknown) {
  const res = await call('POST', `/v1/${collection}`, body);
  assert.equal(res.status, 201, res.text);
  return res.body.data;
}

/** Connects `provider` as the signed-in `cookie` (the fake signs in its latest user). */
async function connect(cookie: string, provider = 'microsoft-calendar') {
  const start = await t.call('GET', `/v1/integrations/${provider}/authorize`, { headers: { cookie } });
  assert.equal(start.status, 302, start.text);
  const signIn = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  const back = new URL(signIn.headers.get('location')!);
  const callback = await t.call('GET', `${back.pathname}${back.search}`);
  assert.equal(callback.status, 200, callback.text);
}

async function syncCalendar(provider = 'microsoft-calendar', as = asTechnician) {
  const started = await as('POST', `/v1/integrations/${provider}/sync`, { kind: 'calendar' });
  assert.equal(started.status, 202, started.text);
  await runSyncs();
  return (await as('GET', `/v1/integration-syncs/${started.body.data.id}`)).body.data;
}

/** An hour of a day from tomorrow on, RFC 3339 with milliseconds. */
const at = (days: number, hour: number) => {
  const day = new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  return `${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;
};
const events = () => [...microsoft.events(mailbox.id).values()];
const blocks = async () =>
  (await call('GET', `/v1/schedule-blocks?technician_id=${technician.id}&sort=starts_at`)).body.data;

async function bookedJob(title: string, start: string, end: string) {
  const customer = await created('customers', { name: `${title} site` });
  const job = await created('jobs', { title, customer_id: customer.id });
  const assigned = await call('POST', `/v1/jobs/${job.id}/assign`, {
    technician_id: technician.id,
    scheduled_start: start,
    scheduled_end: end,
  });
  assert.equal(assigned.status, 200, assigned.text);
  return job;
}

beforeEach(async () => {
  owner = await signUp(t, 'owner');
  account = { id: owner.accountId } as TestAccount;
  const member = await memberWithRole(t, owner.cookie, 'technician', 'ada');
  technician = { id: member.userId, cookie: member.cookie };
  mailbox = microsoft.addUser(`ada${++people}@solo.example`, 'Ada');
  await connect(technician.cookie);
});

describe('Microsoft 365 calendar', () => {
  test("the member's booked jobs are events: made once, moved with the job, deleted when unbooked", async () => {
    const boiler = await bookedJob('Boiler service', at(1, 9), at(1, 11));
    const leak = await bookedJob('Leak', at(2, 14), at(2, 15));
    const first = await syncCalendar();
    assert.equal(first.status, 'succeeded', first.error);
    assert.deepEqual(
      events()
        .map((e) => [e.subject, e.start.dateTime.slice(0, 16), e.end.dateTime.slice(0, 16), e.start.timeZone])
        .sort(),
      [
        ['Boiler service', at(1, 9).slice(0, 16), at(1, 11).slice(0, 16), 'UTC'],
        ['Leak', at(2, 14).slice(0, 16), at(2, 15).slice(0, 16), 'UTC'],
      ],
    );
    assert.equal((await blocks()).length, 0, 'our own events are not busy times of theirs');

    const again = await syncCalendar();
    assert.equal(again.status, 'succeeded', again.error);
    assert.equal(events().length, 2, 'no duplicates');
    const posts = () => microsoft.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/me/events')).length;
    const patches = () => microsoft.requests.filter((r) => r.method === 'PATCH').length;
    assert.equal(posts(), 2);
    assert.equal(patches(), 0, 'nothing moved, nothing sent');

    const moved = await call('POST', `/v1/jobs/${boiler.id}/schedule`, {
      scheduled_start: at(3, 10),
      scheduled_end: at(3, 12),
    });
    assert.equal(moved.status, 200, moved.text);
    await syncCalendar();
    const boilerEvent = events().find((e) => e.subject === 'Boiler service')!;
    assert.equal(boilerEvent.start.dateTime.slice(0, 16), at(3, 10).slice(0, 16));
    assert.equal(patches(), 1);
    assert.equal(events().length, 2);

    assert.equal((await call('POST', `/v1/jobs/${boiler.id}/cancel`, {})).status, 200);
    await syncCalendar();
    assert.deepEqual(
      events().map((e) => e.subject),
      ['Leak'],
    );
    // Done: the event stays where the work happened.
    assert.equal((await call('POST', `/v1/jobs/${leak.id}/start`, {})).status, 200);
    assert.equal((await call('POST', `/v1/jobs/${leak.id}/complete`, {})).status, 200);
    const done = await syncCalendar();
    assert.equal(done.status, 'succeeded', done.error);
    assert.deepEqual(
      events().map((e) => e.subject),
      ['Leak'],
    );
  });

  test('a step redone after its events were made makes none twice (transactionId)', async () => {
    await bookedJob('Boiler service', at(1, 9), at(1, 11));
    // The step's transaction fails after the events were made: the calendarView read fails the run.
    microsoft.failNext({ path: '/calendarView', raw: '{"value": "nope"}' });
    const failed = await syncCalendar();
    assert.equal(failed.status, 'failed');
    assert.equal(events().length, 1);
    const redone = await syncCalendar();
    assert.equal(redone.status, 'succeeded', redone.error);
    assert.equal(events().length, 1, 'the retried POST answered the event it made');
    const [link] = await systemQuery(t.db, {
      sql: `SELECT external_id FROM integration_links WHERE account_id = $1 AND collection = $2`,
      parameters: [account.id, `jobs:${technician.id}`],
    });
    assert.equal(link.external_id, events()[0].id);
  });

  test('busy times are schedule blocks: dispatch sees the conflict; moved and removed with the event', async () => {
    const dentist = microsoft.addEvent(mailbox.id, { subject: 'Dentist', start: at(1, 13), end: at(1, 14) });
    microsoft.addEvent(mailbox.id, { subject: 'Lunch (free)', start: at(1, 12), end: at(1, 13), showAs: 'free' });
    const run = await syncCalendar();
    assert.equal(run.status, 'succeeded', run.error);
    let shown = await blocks();
    assert.deepEqual(
      shown.map((b: any) => [b.starts_at, b.ends_at, b.note]),
      [[at(1, 13), at(1, 14), 'Busy in Outlook: Dentist']],
    );

    const customer = await created('customers', { name: 'Site' });
    const job = await created('jobs', { title: 'Clash', customer_id: customer.id });
    const clash = await call('POST', `/v1/jobs/${job.id}/assign`, {
      technician_id: technician.id,
      scheduled_start: at(1, 13),
      scheduled_end: at(1, 15),
    });
    assert.equal(clash.status, 409, clash.text);

    Object.assign(dentist, { start: { dateTime: `${at(1, 15).slice(0, 19)}.0000000`, timeZone: 'UTC' } });
    Object.assign(dentist, { end: { dateTime: `${at(1, 16).slice(0, 19)}.0000000`, timeZone: 'UTC' } });
    await syncCalendar();
    shown = await blocks();
    assert.deepEqual(
      shown.map((b: any) => [b.starts_at, b.ends_at]),
      [[at(1, 15), at(1, 16)]],
    );
    const free = await call('POST', `/v1/jobs/${job.id}/assign`, {
      technician_id: technician.id,
      scheduled_start: at(1, 13),
      scheduled_end: at(1, 15),
    });
    assert.equal(free.status, 200, free.text);

    microsoft.events(mailbox.id).delete(dentist.id);
    const last = await syncCalendar();
    assert.equal(last.status, 'succeeded', last.error);
    assert.deepEqual(await blocks(), []);
  });

  test('a busy time over a booked job is reported, not written', async () => {
    await bookedJob('Boiler service', at(1, 9), at(1, 11));
    microsoft.addEvent(mailbox.id, { subject: 'Gym', start: at(1, 10), end: at(1, 12) });
    const run = await syncCalendar();
    assert.equal(run.status, 'succeeded', run.error);
    assert.equal(run.failed_count, 1);
    assert.match(run.failures[0].reason, /Boiler service|conflict|job_/i);
    assert.deepEqual(await blocks(), []);
  });

  test("two technicians: each one's jobs only in their own calendar, moved to the other's on reassign", async () => {
    const other = await memberWithRole(t, owner.cookie, 'technician', 'bob');
    const bobsMailbox = microsoft.addUser(`bob${++people}@solo.example`, 'Bob');
    await connect(other.cookie);
    const boiler = await bookedJob('Boiler service', at(1, 9), at(1, 11));
    await runSyncs(); // booking queued the technician's calendar sync
    const bobs = () => [...microsoft.events(bobsMailbox.id).values()].map((e) => e.subject);
    assert.deepEqual(
      events().map((e) => e.subject),
      ['Boiler service'],
    );
    assert.deepEqual(bobs(), []);
    const given = await call('POST', `/v1/jobs/${boiler.id}/assign`, {
      technician_id: other.userId,
      scheduled_start: at(1, 9),
      scheduled_end: at(1, 11),
    });
    assert.equal(given.status, 200, given.text);
    await runSyncs();
    assert.deepEqual(events(), []);
    assert.deepEqual(bobs(), ['Boiler service']);
    // Bob does not see Ada's connection, nor disconnect it.
    const adas = (await asTechnician('GET', '/v1/integrations/microsoft-calendar/status')).body.data.integration_id;
    const asBob = (method: string, path: string) => t.call(method, path, { headers: { cookie: other.cookie } });
    assert.equal((await asBob('GET', `/v1/integrations/${adas}`)).status, 404);
    assert.equal((await asBob('DELETE', `/v1/integrations/${adas}`)).status, 404);
  });

  test("the account's Microsoft 365 mailbox keeps its calendar: the member with the mailbox's address", async () => {
    const mail = `office${++people}@solo.example`;
    const office = microsoft.addUser(mail, 'Office');
    const member = await call('POST', '/v1/users', { name: 'Olga', email: mail, role: 'technician' });
    assert.equal(member.status, 201, member.text);
    await connect(owner.cookie, 'microsoft');
    const customer = await created('customers', { name: 'Site' });
    const job = await created('jobs', { title: 'Mailbox job', customer_id: customer.id });
    const window = { scheduled_start: at(1, 9), scheduled_end: at(1, 10) };
    const booked = await call('POST', `/v1/jobs/${job.id}/assign`, { technician_id: member.body.data.id, ...window });
    assert.equal(booked.status, 200, booked.text);
    const run = await syncCalendar('microsoft', call);
    assert.equal(run.status, 'succeeded', run.error);
    assert.deepEqual(
      [...microsoft.events(office.id).values()].map((e) => e.subject),
      ['Mailbox job'],
    );

    await call('PATCH', `/v1/users/${member.body.data.id}`, { email: 'someone-else@solo.example' });
    const orphan = await syncCalendar('microsoft', call);
    assert.equal(orphan.failed_count, 1);
    assert.match(orphan.failures[0].reason, /no active member/);
  });
});
