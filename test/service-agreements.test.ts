// Service agreements make their visits into jobs ahead of time, each once however often and
// however concurrently the sweep runs, at the visit time in the account's time zone; they pause,
// resume, renew, expire and cancel. The sweep is driven by the suite on a clock it passes as `now`;
// each test works in an account of its own, so one test's sweeps never touch another's agreements.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { systemQuery } from '../src/db/system-query.ts';
import { AgreementSweep, agreementSweep } from '../src/domain/agreement-sweep.ts';
import { addDays, dayIn } from '../src/domain/visit-dates.ts';
import { accountClient, createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';

let ctx: TestContext;
let account: TestAccount;
let customerId: string;
const { call, created } = accountClient(
  () => ctx,
  () => account,
);

before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.close());
beforeEach(async () => {
  account = await ctx.newAccount('Harbour Heating');
  customerId = (await created('customers', { name: 'Ada Lovelace' })).id;
});

const sweep = (at: string) => ctx.runtime.use(agreementSweep).sweep({ now: Date.parse(at), accountIds: [account.id] });
const agreement = (body: Record<string, unknown>) =>
  created('service-agreements', {
    customer_id: customerId,
    name: 'Boiler service plan',
    job_title: 'Boiler service',
    interval_unit: 'month',
    ...body,
  });
const get = async (id: string) => (await call('GET', `/v1/service-agreements/${id}`)).body.data;
const jobsOf = async (id: string) =>
  ((await call('GET', `/v1/jobs?service_agreement_id=${id}&limit=100&sort=scheduled_start`)).body.data as any[]).map(
    (job) => ({ ...job, on: job.scheduled_start.slice(0, 10) }),
  );
const eventsOf = async (type: string) => (await call('GET', `/v1/events?type=${type}&limit=100`)).body.data as any[];
const technician = async (name = 'Tess') =>
  (await created('users', { name, email: `${name.toLowerCase()}-${Date.now()}@example.test`, role: 'technician' })).id;
/** Today in the account's time zone (UTC unless a test sets another), as agreements created now see it. */
const today = () => dayIn(Date.now(), 'UTC');

describe('visits become jobs', () => {
  test('a six-monthly agreement makes the visits within lead_days, once, at the local visit time', async () => {
    const branding = await call('PATCH', '/v1/account/branding', { time_zone: 'America/New_York' });
    assert.equal(branding.status, 200, branding.text);
    const plan = await agreement({
      interval_count: 6,
      starts_on: '2031-01-31',
      visit_time: '08:30',
      visit_duration_minutes: 90,
      lead_days: 200,
      term_months: 24,
      job_description: 'Service the boiler and check the flue.',
      job_priority: 'high',
    });
    assert.deepEqual(
      [plan.status, plan.next_visit_on, plan.ends_on, plan.interval_count],
      ['active', '2031-01-31', '2033-01-30', 6],
    );
    assert.deepEqual(await jobsOf(plan.id), [], 'its first visit is years away: nothing made on create');

    // Two sweeps at once, as two nodes would run them: the visit is made once.
    const reports = await Promise.all([sweep('2030-12-01T12:00:00Z'), sweep('2030-12-01T12:00:00Z')]);
    assert.equal(reports[0].generated + reports[1].generated, 1);
    assert.equal((await sweep('2030-12-02T12:00:00Z')).generated, 0, 'swept again, nothing new is due');
    assert.equal((await get(plan.id)).next_visit_on, '2031-07-31');
    assert.equal((await sweep('2031-02-01T12:00:00Z')).generated, 1);

    const jobs = await jobsOf(plan.id);
    assert.deepEqual(
      jobs.map((j) => [j.scheduled_start, j.scheduled_end, j.status]),
      [
        ['2031-01-31T13:30:00.000Z', '2031-01-31T15:00:00.000Z', 'scheduled'], // 08:30 EST
        ['2031-07-31T12:30:00.000Z', '2031-07-31T14:00:00.000Z', 'scheduled'], // 08:30 EDT
      ],
    );
    for (const job of jobs) {
      assert.deepEqual(
        [job.title, job.description, job.priority, job.customer_id, job.service_agreement_id, job.technician_id],
        ['Boiler service', 'Service the boiler and check the flue.', 'high', customerId, plan.id, null],
      );
    }
    const listed = await call('GET', `/v1/service-agreements/${plan.id}/jobs?limit=100`);
    assert.deepEqual(listed.body.data.map((j: any) => j.id).sort(), jobs.map((j) => j.id).sort());
    assert.equal((await eventsOf('job.created')).length, 2);
    assert.equal((await eventsOf('job.scheduled')).length, 2);
    assert.equal((await get(plan.id)).next_visit_on, '2032-01-31');
    const expanded = await call('GET', `/v1/jobs/${jobs[0].id}?expand=service_agreement`);
    assert.equal(expanded.body.data.service_agreement.id, plan.id);
  });

  test('monthly visits from the 31st land on the last day of shorter months', async () => {
    const plan = await agreement({ starts_on: '2031-01-31', lead_days: 60 });
    assert.equal((await sweep('2031-01-01T12:00:00Z')).generated, 2);
    assert.equal((await sweep('2031-03-15T12:00:00Z')).generated, 2);
    assert.deepEqual(
      (await jobsOf(plan.id)).map((j) => j.on),
      ['2031-01-31', '2031-02-28', '2031-03-31', '2031-04-30'],
    );
    assert.equal((await get(plan.id)).next_visit_on, '2031-05-31');
  });

  test('visits already due when the agreement is created are made in the same request', async () => {
    const starts = addDays(today(), 2);
    const plan = await agreement({ interval_unit: 'week', starts_on: starts, lead_days: 14 });
    assert.equal(plan.next_visit_on, addDays(starts, 14), 'the visits on day 2 and day 9 are made');
    assert.deepEqual(
      (await jobsOf(plan.id)).map((j) => j.on),
      [starts, addDays(starts, 7)],
    );
    assert.deepEqual(await get(plan.id), plan, 'the answer is the object as stored');
    assert.equal((await sweep(new Date().toISOString())).generated, 0, 'the sweep finds nothing left to make');
    const [event] = await eventsOf('service_agreement.created');
    assert.deepEqual(event.data.object, plan);
  });

  test('a start years back is caught up a bounded number of visits per round', async () => {
    const small = new AgreementSweep(ctx.runtime, pino({ level: 'silent' }), { perRound: 5 });
    const plan = await agreement({ interval_unit: 'week', starts_on: '2031-01-06', lead_days: 7 });
    const at = Date.parse('2031-06-01T12:00:00Z');
    assert.equal((await small.sweep({ now: at, accountIds: [account.id] })).generated, 5);
    assert.equal((await get(plan.id)).next_visit_on, '2031-02-10');
    assert.equal((await small.sweep({ now: at, accountIds: [account.id] })).generated, 5);
    const jobs = await jobsOf(plan.id);
    assert.equal(jobs.length, 10);
    assert.equal(new Set(jobs.map((j) => j.on)).size, 10);
    assert.deepEqual([jobs[0].on, jobs[9].on], ['2031-01-06', '2031-03-10']);
  });

  test('editing the schedule starts it after the last visit made, and never makes a visit again', async () => {
    const plan = await agreement({ starts_on: '2031-01-31', lead_days: 10 });
    await sweep('2031-01-25T12:00:00Z');
    assert.equal((await get(plan.id)).next_visit_on, '2031-02-28');
    await sweep('2031-02-20T12:00:00Z');
    const fortnightly = await call('PATCH', `/v1/service-agreements/${plan.id}`, {
      interval_unit: 'week',
      interval_count: 2,
    });
    assert.equal(fortnightly.status, 200, fortnightly.text);
    // Fortnightly from Jan 31: Feb 14, Feb 28 (made already), Mar 14.
    assert.equal(fortnightly.body.data.next_visit_on, '2031-03-14');
    // Fortnightly from Jan 6: ..., Feb 17, Mar 3.
    const moved = await call('PATCH', `/v1/service-agreements/${plan.id}`, { starts_on: '2031-01-06' });
    assert.equal(moved.body.data.next_visit_on, '2031-03-03');
    await sweep('2031-03-01T12:00:00Z');
    await sweep('2031-03-20T12:00:00Z');
    assert.deepEqual(
      (await jobsOf(plan.id)).map((j) => j.on),
      ['2031-01-31', '2031-02-28', '2031-03-03', '2031-03-17'],
    );
  });
});

describe('technicians', () => {
  test('jobs are assigned; a visit the technician is booked for is scheduled unassigned', async () => {
    const tess = await technician();
    const block = await call('POST', '/v1/schedule-blocks', {
      technician_id: tess,
      starts_at: '2031-02-28T08:00:00Z',
      ends_at: '2031-02-28T12:00:00Z',
    });
    assert.equal(block.status, 201, block.text);
    const plan = await agreement({ starts_on: '2031-01-31', lead_days: 60, technician_id: tess });
    const report = await sweep('2031-01-15T12:00:00Z');
    assert.deepEqual([report.generated, report.unassigned], [2, 1]);
    const jobs = await jobsOf(plan.id);
    assert.deepEqual(
      jobs.map((j) => [j.on, j.status, j.technician_id]),
      [
        ['2031-01-31', 'scheduled', tess],
        ['2031-02-28', 'scheduled', null],
      ],
    );
    assert.equal((await eventsOf('job.assigned')).length, 1);
    const [visit] = await systemQuery(ctx.db, {
      sql: `SELECT unassigned_reason FROM service_agreement_visits WHERE agreement_id = $1 AND visit_on = '2031-02-28'`,
      parameters: [plan.id],
    });
    assert.match(visit.unassigned_reason, /is booked from .* by schedule block/);
    const queue = await call('GET', '/v1/dispatch/queue');
    assert.ok(
      queue.body.data.data.some((j: any) => j.id === jobs[1].id),
      'the unassigned visit waits in the queue',
    );
  });

  test('a technician_id that is not an active technician is refused', async () => {
    const office = await created('users', { name: 'Olive', email: 'olive@example.test', role: 'office' });
    const refused = await call('POST', '/v1/service-agreements', {
      customer_id: customerId,
      name: 'Plan',
      job_title: 'Visit',
      interval_unit: 'year',
      starts_on: '2031-01-01',
      technician_id: office.id,
    });
    assert.equal(assertProblem(refused, 422, 'validation_failed').errors[0].path, 'technician_id');
  });
});

describe('lifecycle', () => {
  test('pause stops making visits; resume goes on without making one twice', async () => {
    const plan = await agreement({ interval_unit: 'week', starts_on: '2031-03-03', lead_days: 7 });
    assert.equal((await sweep('2031-03-01T12:00:00Z')).generated, 1);
    const paused = await call('POST', `/v1/service-agreements/${plan.id}/pause`);
    assert.equal(paused.body.data.status, 'paused');
    assert.equal((await sweep('2031-03-05T12:00:00Z')).generated, 0);
    const resumed = await call('POST', `/v1/service-agreements/${plan.id}/resume`);
    assert.deepEqual([resumed.body.data.status, resumed.body.data.next_visit_on], ['active', '2031-03-10']);
    assert.equal((await sweep('2031-03-05T12:00:00Z')).generated, 1);
    assert.equal((await sweep('2031-03-05T12:00:00Z')).generated, 0);
    assert.deepEqual(
      (await jobsOf(plan.id)).map((j) => j.on),
      ['2031-03-03', '2031-03-10'],
    );
    assert.equal((await eventsOf('service_agreement.resumed')).length, 1);
  });

  test('resuming skips the visits whose date passed while paused', async () => {
    const plan = await agreement({ interval_unit: 'week', starts_on: addDays(today(), 10), lead_days: 1 });
    await call('POST', `/v1/service-agreements/${plan.id}/pause`);
    // A long pause: its next visit is in the past by now.
    await systemQuery(ctx.db, {
      sql: `UPDATE service_agreements SET starts_on = $2, next_visit_on = $2 WHERE id = $1`,
      parameters: [plan.id, addDays(today(), -20)],
    });
    const resumed = await call('POST', `/v1/service-agreements/${plan.id}/resume`);
    assert.equal(resumed.body.data.next_visit_on, addDays(today(), 1), 'the first visit from today on');
  });

  test('a term that is over renews with auto_renew, then its visits go on', async () => {
    const plan = await agreement({ interval_unit: 'year', starts_on: '2031-01-01', term_months: 12, lead_days: 10 });
    assert.equal(plan.ends_on, '2031-12-31');
    assert.deepEqual(await sweep('2031-12-31T12:00:00Z'), { generated: 1, unassigned: 0, renewed: 0, expired: 0 });
    assert.deepEqual(await sweep('2032-01-01T12:00:00Z'), { generated: 1, unassigned: 0, renewed: 1, expired: 0 });
    const renewed = await get(plan.id);
    assert.deepEqual([renewed.ends_on, renewed.renewal_count, renewed.status], ['2032-12-31', 1, 'active']);
    const [event] = await eventsOf('service_agreement.renewed');
    assert.deepEqual(
      [event.data.object.id, event.data.previous_attributes],
      [plan.id, { ends_on: '2031-12-31', renewal_count: 0 }],
    );
    assert.deepEqual(
      (await jobsOf(plan.id)).map((j) => j.on),
      ['2031-01-01', '2032-01-01'],
    );
    const early = await call('POST', `/v1/service-agreements/${plan.id}/renew`);
    assert.deepEqual([early.body.data.ends_on, early.body.data.renewal_count], ['2033-12-31', 2]);
  });

  test('a term that is over without auto_renew expires, and makes no visit after its end', async () => {
    const plan = await agreement({
      starts_on: '2031-01-15',
      term_months: 2,
      auto_renew: false,
      lead_days: 60,
    });
    assert.equal((await sweep('2031-01-01T12:00:00Z')).generated, 2, 'Jan 15 and Feb 15; Mar 15 is after the term');
    assert.equal((await sweep('2031-03-14T12:00:00Z')).expired, 0, 'the term ends on Mar 14');
    assert.deepEqual(await sweep('2031-03-15T12:00:00Z'), { generated: 0, unassigned: 0, renewed: 0, expired: 1 });
    assert.equal((await get(plan.id)).status, 'expired');
    assert.equal((await eventsOf('service_agreement.expired')).length, 1);
    assert.equal((await sweep('2031-06-01T12:00:00Z')).expired, 0);
    assert.equal((await jobsOf(plan.id)).length, 2);
    assertProblem(await call('POST', `/v1/service-agreements/${plan.id}/resume`), 409, 'invalid_state_transition');
  });

  test('an open-ended agreement has no term to renew', async () => {
    const plan = await agreement({ starts_on: '2031-01-15' });
    assert.equal(plan.ends_on, null);
    assertProblem(await call('POST', `/v1/service-agreements/${plan.id}/renew`), 409, 'conflict');
  });

  test('cancel cancels the visits still to come and keeps its history', async () => {
    const first = addDays(today(), -13);
    const plan = await agreement({ interval_unit: 'week', starts_on: first, lead_days: 10 });
    const jobs = await jobsOf(plan.id);
    assert.deepEqual(
      jobs.map((j) => j.on),
      [first, addDays(first, 7), addDays(first, 14), addDays(first, 21)],
    );
    const started = await call('POST', `/v1/jobs/${jobs[3].id}/start`);
    assert.equal(started.status, 200, started.text);
    const cancelled = await call('POST', `/v1/service-agreements/${plan.id}/cancel`, { reason: 'Sold the house' });
    assert.deepEqual(
      [cancelled.body.data.status, cancelled.body.data.cancellation_reason],
      ['cancelled', 'Sold the house'],
    );
    assert.deepEqual(
      (await jobsOf(plan.id)).map((j) => j.status),
      ['scheduled', 'scheduled', 'cancelled', 'in_progress'],
    );
    assert.equal((await eventsOf('job.cancelled')).length, 1);
    assert.equal((await sweep(new Date(Date.now() + 30 * 86_400_000).toISOString())).generated, 0);
  });
});

describe('refusals', () => {
  const valid = () => ({
    customer_id: customerId,
    name: 'Plan',
    job_title: 'Visit',
    interval_unit: 'month',
    starts_on: '2031-01-01',
  });
  const cases: [string, Record<string, unknown>, string][] = [
    ['a visit time not HH:MM', { visit_time: '9am' }, 'visit_time'],
    ['an hour past 23', { visit_time: '24:00' }, 'visit_time'],
    ['an interval of 0', { interval_count: 0 }, 'interval_count'],
    ['an unknown interval unit', { interval_unit: 'day' }, 'interval_unit'],
    ['a term over 120 months', { term_months: 121 }, 'term_months'],
    ['a lead of 0 days', { lead_days: 0 }, 'lead_days'],
    ['a visit of 5 minutes', { visit_duration_minutes: 5 }, 'visit_duration_minutes'],
    ['a negative price', { price: -1 }, 'price'],
    ['a first visit before 2000', { starts_on: '1999-12-31' }, 'starts_on'],
    ['a null interval', { interval_count: null }, 'interval_count'],
    ['writing next_visit_on', { next_visit_on: '2031-02-01' }, 'next_visit_on'],
    ['writing ends_on', { ends_on: '2032-02-01' }, 'ends_on'],
  ];
  for (const [what, change, path] of cases) {
    test(`${what} is a 422 naming ${path}, and saves nothing`, async () => {
      const count = async (collection: string) =>
        (await call('GET', `/v1/${collection}?count=true&limit=1`)).body.page.total;
      const before = [await count('service-agreements'), await count('jobs'), await count('events')];
      const refused = await call('POST', '/v1/service-agreements', { ...valid(), ...change });
      const problem = assertProblem(refused, 422, 'validation_failed');
      assert.ok(
        problem.errors.some((e: any) => e.path === path),
        JSON.stringify(problem.errors),
      );
      assert.deepEqual([await count('service-agreements'), await count('jobs'), await count('events')], before);
    });
  }

  test('PATCH of a bad visit time is a 422 and changes nothing', async () => {
    const plan = await agreement({ starts_on: '2031-01-01' });
    const refused = await call('PATCH', `/v1/service-agreements/${plan.id}`, { visit_time: '7:5' });
    assertProblem(refused, 422, 'validation_failed');
    assert.deepEqual(await get(plan.id), plan);
  });

  test("another account's agreement is not found, nor its jobs", async () => {
    const plan = await agreement({ starts_on: '2031-01-01' });
    const other = await ctx.newAccount('Other Co');
    for (const [method, path] of [
      ['GET', `/v1/service-agreements/${plan.id}`],
      ['PATCH', `/v1/service-agreements/${plan.id}`],
      ['POST', `/v1/service-agreements/${plan.id}/pause`],
      ['GET', `/v1/service-agreements/${plan.id}/jobs`],
    ]) {
      const body = method === 'PATCH' ? { name: 'Mine now' } : undefined;
      assertProblem(await call(method, path, body, other.key), 404, 'not_found');
    }
    const listed = await call('GET', '/v1/service-agreements', undefined, other.key);
    assert.deepEqual(listed.body.data, []);
    assert.equal((await get(plan.id)).name, 'Boiler service plan');
  });
});
