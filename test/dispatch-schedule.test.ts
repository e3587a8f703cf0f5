// Dispatch and schedule: a technician is never double-booked (not even by racing requests),
// schedule blocks take time like jobs do, the dispatch queue, each technician's day in a time
// zone, the route optimiser on a known day, and GPS tracking.
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
  account = await ctx.newAccount('Dispatch Co');
});

const { call, created } = accountClient(
  () => ctx,
  () => account,
);

let people = 0;
const newTechnician = (name = 'Tech', extra: Record<string, unknown> = {}, key = account.key) =>
  created('users', { name, email: `tech${++people}@dispatch.example`, role: 'technician', ...extra }, key);

async function newJob(extra: Record<string, unknown> = {}) {
  const customer = await created('customers', { name: 'Site', ...((extra.customer as object) ?? {}) });
  const { customer: _c, ...job } = extra;
  return created('jobs', { title: 'Fix it', customer_id: customer.id, ...job });
}

const at = (hour: number, minute = 0, date = '2026-02-10') =>
  `${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;
const window = (from: number, to: number, date?: string) => ({
  scheduled_start: at(from, 0, date),
  scheduled_end: at(to, 0, date),
});

describe('double-booking', () => {
  test(
    'a technician booked 9-11 cannot take a job at 10-12; 11-13 and another technician are fine; ' +
      'nothing changes on a refusal',
    async () => {
      const ada = await newTechnician('Ada');
      const bob = await newTechnician('Bob');
      const first = await newJob();
      const booked = await call('POST', `/v1/jobs/${first.id}/assign`, { technician_id: ada.id, ...window(9, 11) });
      assert.equal(booked.status, 200, booked.text);
      assert.deepEqual(
        [booked.body.data.status, booked.body.data.technician_id, booked.body.data.scheduled_start],
        ['scheduled', ada.id, at(9)],
      );

      const second = await newJob();
      const clash = assertProblem(
        await call('POST', `/v1/jobs/${second.id}/assign`, { technician_id: ada.id, ...window(10, 12) }),
        409,
        'conflict',
      );
      assert.deepEqual(clash.conflicting, { object: 'job', id: first.id, starts_at: at(9), ends_at: at(11) });
      const untouched = (await call('GET', `/v1/jobs/${second.id}`)).body.data;
      assert.deepEqual(
        [untouched.status, untouched.technician_id, untouched.scheduled_start],
        ['unscheduled', null, null],
      );

      assert.equal(
        (await call('POST', `/v1/jobs/${second.id}/assign`, { technician_id: bob.id, ...window(10, 12) })).status,
        200,
      );
      const third = await newJob();
      assert.equal(
        (await call('POST', `/v1/jobs/${third.id}/assign`, { technician_id: ada.id, ...window(11, 13) })).status,
        200,
        'back to back is not overlapping',
      );
    },
  );

  test(
    'rescheduling an assigned job into a clash is refused, ' + 'as is assigning a scheduled job to a busy technician',
    async () => {
      const ada = await newTechnician();
      const busy = await newJob();
      await call('POST', `/v1/jobs/${busy.id}/assign`, { technician_id: ada.id, ...window(13, 15) });
      const job = await newJob();
      await call('POST', `/v1/jobs/${job.id}/assign`, { technician_id: ada.id, ...window(8, 9) });
      assertProblem(await call('POST', `/v1/jobs/${job.id}/schedule`, window(14, 16)), 409, 'conflict');
      assert.equal(
        (await call('POST', `/v1/jobs/${job.id}/schedule`, window(8, 10))).status,
        200,
        'moving within its own slot',
      );

      const scheduled = await newJob();
      await call('POST', `/v1/jobs/${scheduled.id}/schedule`, window(14, 15));
      assertProblem(await call('POST', `/v1/jobs/${scheduled.id}/assign`, { technician_id: ada.id }), 409, 'conflict');
      await call('POST', `/v1/jobs/${busy.id}/cancel`, {});
      assert.equal(
        (await call('POST', `/v1/jobs/${scheduled.id}/assign`, { technician_id: ada.id })).status,
        200,
        'a cancelled job frees its time',
      );
    },
  );

  test('eight concurrent bookings of one technician for overlapping windows: exactly one wins', async () => {
    const ada = await newTechnician();
    const jobs = await Promise.all(Array.from({ length: 8 }, () => newJob()));
    const results = await Promise.all(
      jobs.map((job, i) =>
        call('POST', '/v1/dispatch/assign', {
          job_id: job.id,
          technician_id: ada.id,
          scheduled_start: at(9, i * 5),
          scheduled_end: at(11),
        }),
      ),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409, 409, 409, 409, 409, 409]);
    const day = (await call('GET', `/v1/schedule?date=2026-02-10&technician_id=${ada.id}`)).body.data;
    assert.equal(day.technicians[0].jobs.length, 1);
  });

  test(
    'assign input: both ends of the window or neither, ' + 'end after start, an active technician of this account',
    async () => {
      const job = await newJob();
      const ada = await newTechnician();
      assertNames(
        assertProblem(
          await call('POST', `/v1/jobs/${job.id}/assign`, { technician_id: ada.id, scheduled_start: at(9) }),
          422,
          'validation_failed',
        ),
        'scheduled_end',
      );
      assertNames(
        assertProblem(
          await call('POST', `/v1/jobs/${job.id}/assign`, { technician_id: ada.id, ...window(11, 9) }),
          422,
          'validation_failed',
        ),
        'scheduled_end',
      );
      const office = await created('users', { name: 'Olive', email: 'olive@dispatch.example', role: 'office' });
      assertNames(
        assertProblem(
          await call('POST', `/v1/jobs/${job.id}/assign`, { technician_id: office.id }),
          422,
          'validation_failed',
        ),
        'technician_id',
      );
      const other = await ctx.newAccount('Elsewhere');
      const theirs = await newTechnician('Theirs', {}, other.key);
      assertNames(
        assertProblem(
          await call('POST', `/v1/jobs/${job.id}/assign`, { technician_id: theirs.id }),
          422,
          'validation_failed',
        ),
        'technician_id',
      );
    },
  );
});

describe('schedule blocks', () => {
  test(
    'a block cannot cover a booked job, ' + 'a job cannot be booked over a block, and blocks do not overlap',
    async () => {
      const ada = await newTechnician();
      const job = await newJob();
      await call('POST', `/v1/jobs/${job.id}/assign`, { technician_id: ada.id, ...window(9, 11) });
      const overJob = assertProblem(
        await call('POST', '/v1/schedule-blocks', {
          technician_id: ada.id,
          kind: 'time_off',
          starts_at: at(10),
          ends_at: at(18),
        }),
        409,
        'conflict',
      );
      assert.equal(overJob.conflicting.id, job.id);

      const lunch = await created('schedule-blocks', {
        technician_id: ada.id,
        kind: 'break',
        starts_at: at(12),
        ends_at: at(13),
      });
      const later = await newJob();
      const overBlock = assertProblem(
        await call('POST', `/v1/jobs/${later.id}/assign`, { technician_id: ada.id, ...window(12, 14) }),
        409,
        'conflict',
      );
      assert.deepEqual([overBlock.conflicting.object, overBlock.conflicting.id], ['schedule_block', lunch.id]);
      assertProblem(
        await call('POST', '/v1/schedule-blocks', {
          technician_id: ada.id,
          starts_at: at(12, 30),
          ends_at: at(12, 45),
        }),
        409,
        'conflict',
      );

      assertProblem(await call('PATCH', `/v1/schedule-blocks/${lunch.id}`, { starts_at: at(10) }), 409, 'conflict');
      assert.equal(
        (await call('PATCH', `/v1/schedule-blocks/${lunch.id}`, { starts_at: at(12, 30) })).status,
        200,
        'moving within its own time',
      );
      assertNames(
        assertProblem(
          await call('PATCH', `/v1/schedule-blocks/${lunch.id}`, { ends_at: at(12) }),
          422,
          'validation_failed',
        ),
        'ends_at',
      );
    },
  );
});

describe('dispatch', () => {
  test(
    'the queue holds open jobs missing a technician or a time, ' + 'most urgent first, then longest waiting',
    async () => {
      const ada = await newTechnician();
      const normalOld = await newJob({ title: 'normal, old' });
      const urgent = await newJob({ title: 'urgent', priority: 'urgent' });
      const done = await newJob({ title: 'booked', priority: 'urgent' });
      await call('POST', `/v1/jobs/${done.id}/assign`, { technician_id: ada.id, ...window(9, 10) });
      const assignedOnly = await newJob({ title: 'no time yet', priority: 'high' });
      await call('POST', `/v1/jobs/${assignedOnly.id}/assign`, { technician_id: ada.id });
      const cancelled = await newJob({ priority: 'urgent' });
      await call('POST', `/v1/jobs/${cancelled.id}/cancel`, {});
      const normalNew = await newJob({ title: 'normal, new' });

      const queue = (await call('GET', '/v1/dispatch/queue')).body.data;
      assert.equal(queue.object, 'dispatch_queue');
      assert.deepEqual(
        queue.data.map((j: any) => j.id),
        [urgent.id, assignedOnly.id, normalOld.id, normalNew.id],
      );
      assert.equal(queue.total, 4);
      const firstTwo = (await call('GET', '/v1/dispatch/queue?limit=2')).body.data;
      assert.deepEqual([firstTwo.data.length, firstTwo.total], [2, 4]);
      assertProblem(await call('GET', '/v1/dispatch/queue?limit=0'), 400, 'bad_request');
    },
  );

  test(
    'reassign moves an assigned job to a free technician, ' + 'with one job.assigned event naming the previous one',
    async () => {
      const [ada, bob] = [await newTechnician('Ada'), await newTechnician('Bob')];
      const job = await newJob();
      assertProblem(
        await call('POST', '/v1/dispatch/reassign', { job_id: job.id, technician_id: bob.id }),
        409,
        'conflict',
      );
      assert.equal(
        (await call('POST', '/v1/dispatch/assign', { job_id: job.id, technician_id: ada.id, ...window(9, 10) })).status,
        200,
      );
      assertNames(
        assertProblem(
          await call('POST', '/v1/dispatch/reassign', { job_id: job.id, technician_id: ada.id }),
          422,
          'validation_failed',
        ),
        'technician_id',
      );

      const moved = await call('POST', '/v1/dispatch/reassign', { job_id: job.id, technician_id: bob.id });
      assert.equal(moved.status, 200, moved.text);
      assert.deepEqual([moved.body.data.technician_id, moved.body.data.scheduled_start], [bob.id, at(9)]);
      const [event] = (await call('GET', '/v1/events?type=job.assigned&limit=1&sort=-created_at')).body.data;
      assert.deepEqual(
        [event.data.object.technician_id, event.data.previous_attributes.technician_id],
        [bob.id, ada.id],
      );

      assertNames(
        assertProblem(
          await call('POST', '/v1/dispatch/assign', { job_id: 'job_nope', technician_id: bob.id }),
          422,
          'validation_failed',
        ),
        'job_id',
      );
    },
  );
});

describe('the schedule', () => {
  test(
    "each active technician's day in a time zone: " + 'jobs and blocks in time order, unassigned jobs apart',
    async () => {
      const [ada, bob] = [await newTechnician('Ada'), await newTechnician('Bob')];
      await newTechnician('Gone', { status: 'inactive' });
      const late = await newJob({ title: 'late evening UTC' });
      await call('POST', `/v1/jobs/${late.id}/assign`, {
        technician_id: ada.id,
        scheduled_start: at(23, 0, '2026-02-10'),
        scheduled_end: at(23, 45, '2026-02-10'),
      });
      const morning = await newJob({ title: 'morning' });
      await call('POST', `/v1/jobs/${morning.id}/assign`, { technician_id: ada.id, ...window(8, 9) });
      const block = await created('schedule-blocks', {
        technician_id: ada.id,
        kind: 'break',
        starts_at: at(12),
        ends_at: at(13),
      });
      const orphan = await newJob({ title: 'nobody yet' });
      await call('POST', `/v1/jobs/${orphan.id}/schedule`, window(15, 16));

      const utc = (await call('GET', '/v1/schedule?date=2026-02-10')).body.data;
      assert.deepEqual([utc.starts_at, utc.ends_at], ['2026-02-10T00:00:00.000Z', '2026-02-11T00:00:00.000Z']);
      assert.deepEqual(
        utc.technicians.map((t: any) => t.name),
        ['Ada', 'Bob'],
      );
      assert.deepEqual(
        utc.technicians[0].jobs.map((j: any) => j.id),
        [morning.id, late.id],
      );
      assert.deepEqual(
        utc.technicians[0].blocks.map((b: any) => b.id),
        [block.id],
      );
      assert.deepEqual([utc.technicians[1].technician_id, utc.technicians[1].jobs], [bob.id, []]);
      assert.deepEqual(
        utc.unassigned.map((j: any) => j.id),
        [orphan.id],
      );

      const tokyo = (await call('GET', `/v1/schedule?date=2026-02-11&time_zone=Asia/Tokyo&technician_id=${ada.id}`))
        .body.data;
      assert.equal(tokyo.starts_at, '2026-02-10T15:00:00.000Z');
      assert.deepEqual(
        tokyo.technicians[0].jobs.map((j: any) => j.id),
        [late.id],
        'the 23:00 UTC job is the next morning in Tokyo',
      );

      assertNames(
        assertProblem(await call('GET', '/v1/schedule?date=2026-02-10&time_zone=Mars/Olympus'), 400, 'bad_request'),
        'time_zone',
      );
      assertNames(assertProblem(await call('GET', '/v1/schedule?date=2026-02-30'), 400, 'bad_request'), 'date');
    },
  );

  test(
    'optimize orders a known day along the road, ' +
      "takes the customer's coordinates when the job has none, and lists jobs with none",
    async () => {
      const ada = await newTechnician();
      // Scheduled in the order 3, 1, 4, 2 degrees north of the depot; the best drive is 1, 2, 3, 4.
      const north = async (degrees: number, hour: number, onCustomer = false) => {
        const point = { latitude: degrees, longitude: 0 };
        const job = await newJob(onCustomer ? { customer: { address: point } } : { address: point });
        await call('POST', `/v1/jobs/${job.id}/assign`, { technician_id: ada.id, ...window(hour, hour + 1) });
        return job;
      };
      const third = await north(3, 8);
      const first = await north(1, 9, true);
      const fourth = await north(4, 10);
      const second = await north(2, 11);
      const nowhere = await newJob();
      await call('POST', `/v1/jobs/${nowhere.id}/assign`, { technician_id: ada.id, ...window(12, 13) });

      const planned = await call('POST', '/v1/schedule/optimize', {
        technician_id: ada.id,
        date: '2026-02-10',
        start: { latitude: 0, longitude: 0 },
      });
      assert.equal(planned.status, 200, planned.text);
      const plan = planned.body.data;
      assert.deepEqual(
        plan.stops.map((s: any) => s.job_id),
        [first.id, second.id, third.id, fourth.id],
      );
      assert.deepEqual(
        plan.stops.map((s: any) => s.sequence),
        [1, 2, 3, 4],
      );
      assert.ok(Math.abs(plan.total_distance_km - 4 * 111.195) < 0.05, String(plan.total_distance_km));
      assert.ok(
        Math.abs(plan.scheduled_order_distance_km - 10 * 111.195) < 0.1,
        String(plan.scheduled_order_distance_km),
      );
      assert.deepEqual(plan.unlocated_job_ids, [nowhere.id]);
      assert.deepEqual(
        (
          await call('POST', '/v1/schedule/optimize', {
            technician_id: ada.id,
            date: '2026-02-10',
            start: { latitude: 0, longitude: 0 },
          })
        ).body.data,
        plan,
      );
      assert.equal(
        (await call('GET', `/v1/jobs/${third.id}`)).body.data.scheduled_start,
        at(8),
        'planning changes nothing',
      );
    },
  );
});

describe('gps tracking', () => {
  test(
    'a batch of pings is stored; ' + 'the latest position per technician is the newest fix; pings emit no events',
    async () => {
      const [ada, bob] = [await newTechnician('Ada'), await newTechnician('Bob')];
      const eventsBefore = (await call('GET', '/v1/events?count=true&limit=1')).body.page.total;
      const tracked = await call('POST', '/v1/gps/track', {
        technician_id: ada.id,
        pings: [
          { latitude: 40.1, longitude: -74, accuracy_m: 12, recorded_at: '2026-02-10T09:00:00Z' },
          { latitude: 40.3, longitude: -74, recorded_at: '2026-02-10T09:10:00Z' },
          { latitude: 40.2, longitude: -74, recorded_at: '2026-02-10T09:05:00Z' },
        ],
      });
      assert.equal(tracked.status, 200, tracked.text);
      assert.deepEqual([tracked.body.data.stored, tracked.body.data.latest.latitude], [3, 40.3]);
      await call('POST', '/v1/gps/track', { technician_id: bob.id, pings: [{ latitude: 51.5, longitude: -0.1 }] });

      const latest = (await call('GET', '/v1/gps/latest')).body.data.data;
      assert.deepEqual(
        latest.map((p: any) => [p.technician_id, p.latitude]).sort(),
        [
          [ada.id, 40.3],
          [bob.id, 51.5],
        ].sort(),
      );
      assert.equal((await call('GET', `/v1/location-pings?technician_id=${ada.id}&count=true`)).body.page.total, 3);
      assert.equal((await call('GET', '/v1/events?count=true&limit=1')).body.page.total, eventsBefore);
    },
  );

  test("pings of another account's technician, or too many at once, are refused and nothing is stored", async () => {
    const other = await ctx.newAccount('Elsewhere');
    const theirs = await newTechnician('Theirs', {}, other.key);
    assertNames(
      assertProblem(
        await call('POST', '/v1/gps/track', { technician_id: theirs.id, pings: [{ latitude: 1, longitude: 1 }] }),
        422,
        'validation_failed',
      ),
      'technician_id',
    );
    const ada = await newTechnician();
    const tooMany = Array.from({ length: 501 }, () => ({ latitude: 1, longitude: 1 }));
    assertNames(
      assertProblem(
        await call('POST', '/v1/gps/track', { technician_id: ada.id, pings: tooMany }),
        422,
        'validation_failed',
      ),
      'pings',
    );
    assertNames(
      assertProblem(
        await call('POST', '/v1/gps/track', { technician_id: ada.id, pings: [{ latitude: 91, longitude: 1 }] }),
        422,
        'validation_failed',
      ),
      'pings.0.latitude',
    );
    assert.equal((await call('GET', '/v1/location-pings?count=true')).body.page.total, 0);
  });
});
