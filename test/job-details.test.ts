// Job details: materials come out of stock in the same transaction (never below zero, even
// racing), time entries allow one open clock-in per technician (even racing), a job's
// location is a ping tied to it, and a technician's day lists their jobs.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { assertNames, assertProblem } from './support/problem-assertions.ts';

let ctx: TestContext;
let account: TestAccount;
let job: Record<string, any>;
let technician: Record<string, any>;
before(async () => {
  ctx = await createTestContext();
});
after(async () => {
  await ctx.close();
});
beforeEach(async () => {
  account = await ctx.newAccount('Field Co');
  technician = await created('users', { name: 'Tia', email: `tia${Date.now()}@field.example`, role: 'technician' });
  const customer = await created('customers', { name: 'Site' });
  job = await created('jobs', { title: 'Fix the pump', customer_id: customer.id });
});

const { call, created } = accountClient(
  () => ctx,
  () => account,
);
async function stocked(quantity: number) {
  const item = await created('inventory-items', { sku: `PIPE-${quantity}`, name: 'Copper pipe', unit_cost: 450 });
  assert.equal(
    (await call('POST', `/v1/inventory-items/${item.id}/adjust`, { quantity, reason: 'count' })).status,
    200,
  );
  return item;
}
const onHand = async (itemId: string) =>
  (await call('GET', `/v1/inventory-items/${itemId}`)).body.data.quantity_on_hand;

describe('job materials', () => {
  test(
    'using material takes it out of stock with a ledger ' + 'entry and the unit cost; deleting it puts it back',
    async () => {
      const item = await stocked(10);
      const used = await created('job-materials', { job_id: job.id, item_id: item.id, quantity: 3 });
      assert.deepEqual([used.unit_cost, await onHand(item.id)], [450, 7]);
      const [movement] = (await call('GET', `/v1/inventory-items/${item.id}/movements?sort=-created_at&limit=1`)).body
        .data;
      assert.deepEqual(
        [movement.source, movement.quantity, movement.reference, movement.quantity_after],
        ['job_material', -3, job.id, 7],
      );
      assert.deepEqual(
        (await call('GET', `/v1/jobs/${job.id}/materials`)).body.data.map((m: any) => m.id),
        [used.id],
      );
      assert.equal((await call('DELETE', `/v1/job-materials/${used.id}`)).status, 200);
      assert.equal(await onHand(item.id), 10);
    },
  );

  test('more than is on hand is a 409 that records nothing; an unknown item is a 422', async () => {
    const item = await stocked(2);
    assertProblem(
      await call('POST', '/v1/job-materials', { job_id: job.id, item_id: item.id, quantity: 3 }),
      409,
      'conflict',
    );
    assert.deepEqual(
      [await onHand(item.id), (await call('GET', '/v1/job-materials?count=true')).body.page.total],
      [2, 0],
    );
    assertNames(
      assertProblem(
        await call('POST', '/v1/job-materials', { job_id: job.id, item_id: 'itm_nope', quantity: 1 }),
        422,
        'validation_failed',
      ),
      'item_id',
    );
  });

  test('twelve concurrent uses of one unit each against a stock of five: five recorded, stock zero', async () => {
    const item = await stocked(5);
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        call('POST', '/v1/job-materials', { job_id: job.id, item_id: item.id, quantity: 1 }),
      ),
    );
    assert.deepEqual(
      [results.filter((r) => r.status === 201).length, results.filter((r) => r.status === 409).length],
      [5, 7],
    );
    assert.equal(await onHand(item.id), 0);
  });
});

describe('time entries', () => {
  test('clock in, refuse a second clock-in, clock out with the duration; then clock in again', async () => {
    const entry = await created('time-entries', {
      technician_id: technician.id,
      job_id: job.id,
      started_at: '2026-02-10T08:00:00Z',
    });
    assert.equal(entry.status, 'open');
    const again = assertProblem(
      await call('POST', '/v1/time-entries', { technician_id: technician.id }),
      409,
      'conflict',
    );
    assert.equal(again.conflicting.id, entry.id);
    assertNames(
      assertProblem(
        await call('POST', `/v1/time-entries/${entry.id}/clock-out`, { ended_at: '2026-02-10T07:00:00Z' }),
        422,
        'validation_failed',
      ),
      'ended_at',
    );
    const closed = (await call('POST', `/v1/time-entries/${entry.id}/clock-out`, { ended_at: '2026-02-10T09:30:00Z' }))
      .body.data;
    assert.deepEqual([closed.status, closed.duration_minutes], ['closed', 90]);
    assert.deepEqual(
      (await call('GET', `/v1/jobs/${job.id}/time-entries`)).body.data.map((e: any) => e.id),
      [entry.id],
    );
    const now = await created('time-entries', { technician_id: technician.id });
    assert.ok(now.started_at);
  });

  test('six concurrent clock-ins of one technician leave exactly one open entry', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => call('POST', '/v1/time-entries', { technician_id: technician.id })),
    );
    assert.equal(results.filter((r) => r.status === 201).length, 1);
    assert.ok(
      results.every((r) => r.status === 201 || r.status === 409),
      results.map((r) => r.status).join(),
    );
    assert.equal(
      (await call('GET', `/v1/time-entries?technician_id=${technician.id}&status=open&count=true`)).body.page.total,
      1,
    );
  });
});

describe("the technician's day and location", () => {
  test(
    "GET /v1/tech/jobs lists the technician's jobs of the day in time order; " +
      'the job location is a ping tied to the job',
    async () => {
      assertProblem(await call('POST', `/v1/jobs/${job.id}/location`, { latitude: 1, longitude: 1 }), 409, 'conflict');
      const customer = (await call('GET', `/v1/customers/${job.customer_id}`)).body.data;
      const later = await created('jobs', { title: 'Second visit', customer_id: customer.id });
      await call('POST', `/v1/jobs/${later.id}/assign`, {
        technician_id: technician.id,
        scheduled_start: '2026-02-10T14:00:00Z',
        scheduled_end: '2026-02-10T15:00:00Z',
      });
      await call('POST', `/v1/jobs/${job.id}/assign`, {
        technician_id: technician.id,
        scheduled_start: '2026-02-10T09:00:00Z',
        scheduled_end: '2026-02-10T10:00:00Z',
      });
      const day = (await call('GET', `/v1/tech/jobs?technician_id=${technician.id}&date=2026-02-10`)).body.data;
      assert.deepEqual(
        day.data.map((j: any) => j.id),
        [job.id, later.id],
      );
      assert.deepEqual(
        (await call('GET', `/v1/tech/jobs?technician_id=${technician.id}&date=2026-02-11`)).body.data.data,
        [],
      );
      assertNames(
        assertProblem(await call('GET', '/v1/tech/jobs?date=2026-02-10'), 400, 'bad_request'),
        'technician_id',
      );

      const here = await call('POST', `/v1/jobs/${job.id}/location`, {
        latitude: 52.52,
        longitude: 13.405,
        accuracy_m: 8,
      });
      assert.equal(here.status, 200, here.text);
      assert.deepEqual(
        [here.body.data.technician_id, here.body.data.job_id, here.body.data.accuracy_m],
        [technician.id, job.id, 8],
      );
      assert.equal(
        (await call('GET', `/v1/gps/latest?technician_id=${technician.id}`)).body.data.data[0].id,
        here.body.data.id,
      );
      assertNames(
        assertProblem(
          await call('POST', `/v1/jobs/${job.id}/location`, { latitude: 100, longitude: 0 }),
          422,
          'validation_failed',
        ),
        'latitude',
      );
    },
  );
});
