// Business analytics: a small known data set built through the API (timestamps the API stamps
// with "now" are moved to known instants afterwards), and every figure asserted exactly: the
// account's time zone decides the day (23:30 in Chicago is still that day), intervals, the
// previous period, bad input, another account's data, and the read:analytics scope.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, accountClient, type TestContext, type TestAccount } from './support/test-context.ts';
import { systemQuery } from '../src/db/system-query.ts';

let ctx: TestContext;
let account: TestAccount;
let other: TestAccount;
const { call, created } = accountClient(
  () => ctx,
  () => account,
);
const ids: Record<string, string> = {};

const PERIOD = 'from=2026-01-05&to=2026-01-11';
const DAY_MS = 86_400_000;
/** A date `days` from today (UTC; the tests keep clear of the few hours where Chicago's day differs). */
const daysFromToday = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

async function set(table: string, id: string, values: Record<string, unknown>) {
  const names = Object.keys(values);
  await systemQuery(ctx.db, {
    sql: `UPDATE ${table} SET ${names.map((n, i) => `${n} = $${i + 2}`).join(', ')} WHERE id = $1`,
    parameters: [id, ...Object.values(values)],
  });
}

async function ok(path: string, key = account.key) {
  const response = await ctx.call('GET', path, { key });
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}

async function action(path: string, body: unknown = {}) {
  const response = await call('POST', path, body);
  assert.ok(response.status < 300, `${path}: ${response.text}`);
  return response.body.data;
}

async function job(name: string, customer: string, fields: Record<string, unknown> = {}) {
  ids[name] = (await created('jobs', { title: name, customer_id: ids[customer], ...fields })).id;
  return ids[name];
}

async function invoice(name: string, customer: string, body: Record<string, unknown>) {
  ids[name] = (await created('invoices', { customer_id: ids[customer], ...body })).id;
  await action(`/v1/invoices/${ids[name]}/send`);
  return ids[name];
}

async function buildData() {
  assert.equal((await call('PATCH', '/v1/account/branding', { time_zone: 'America/Chicago' })).status, 200);
  ids.C1 = (await created('customers', { name: 'Ada', email: 'ada@analytics.example', tags: ['vip'] })).id;
  ids.C2 = (await created('customers', { name: 'Brunel Ltd', email: 'ik@analytics.example', tags: ['commercial'] })).id;
  ids.C3 = (await created('customers', { name: 'Curie', email: 'marie@analytics.example' })).id;
  // Ada is an old customer; Brunel new on Jan 5, Curie at 23:30 on Jan 11 in Chicago (Jan 12 in UTC).
  await set('customers', ids.C1, { created_at: '2025-12-01T12:00:00Z' });
  await set('customers', ids.C2, { created_at: '2026-01-05T12:00:00Z' });
  await set('customers', ids.C3, { created_at: '2026-01-12T05:30:00Z' });
  ids.T1 = (
    await created('users', { name: 'Tia', email: `tia${Date.now()}@analytics.example`, role: 'technician' })
  ).id;
  ids.T2 = (
    await created('users', { name: 'Tom', email: `tom${Date.now()}@analytics.example`, role: 'technician' })
  ).id;

  // J1: Jan 5, 09:00-11:00 Chicago (UTC-6), completed 12:00; 100 minutes on site.
  await job('J1', 'C1');
  await action(`/v1/jobs/${ids.J1}/assign`, {
    technician_id: ids.T1,
    scheduled_start: '2026-01-05T15:00:00Z',
    scheduled_end: '2026-01-05T17:00:00Z',
  });
  await action(`/v1/jobs/${ids.J1}/start`);
  await action(`/v1/jobs/${ids.J1}/complete`);
  await set('jobs', ids.J1, { created_at: '2026-01-02T12:00:00Z', completed_at: '2026-01-05T18:00:00Z' });
  const entry1 = await created('time-entries', {
    technician_id: ids.T1,
    job_id: ids.J1,
    started_at: '2026-01-05T15:10:00Z',
  });
  await action(`/v1/time-entries/${entry1.id}/clock-out`, { ended_at: '2026-01-05T16:50:00Z' });

  // J2: the customer's follow-up (so J1 was not fixed the first time); completed at 23:30 on Jan 6 in
  // Chicago, which is Jan 7 in UTC.
  await job('J2', 'C1', { priority: 'high' });
  await action(`/v1/jobs/${ids.J2}/assign`, {
    technician_id: ids.T2,
    scheduled_start: '2026-01-06T14:00:00Z',
    scheduled_end: '2026-01-06T18:00:00Z',
  });
  await action(`/v1/jobs/${ids.J2}/start`);
  await action(`/v1/jobs/${ids.J2}/complete`);
  await set('jobs', ids.J2, { created_at: '2026-01-05T20:00:00Z', completed_at: '2026-01-07T05:30:00Z' });
  const entry2 = await created('time-entries', {
    technician_id: ids.T2,
    job_id: ids.J2,
    started_at: '2026-01-06T14:00:00Z',
  });
  await action(`/v1/time-entries/${entry2.id}/clock-out`, { ended_at: '2026-01-06T16:00:00Z' });

  // J3: booked then cancelled (its hour is not scheduled work); J4 never scheduled; J5 next week.
  await job('J3', 'C2');
  await action(`/v1/jobs/${ids.J3}/assign`, {
    technician_id: ids.T1,
    scheduled_start: '2026-01-08T15:00:00Z',
    scheduled_end: '2026-01-08T16:00:00Z',
  });
  await action(`/v1/jobs/${ids.J3}/cancel`);
  await set('jobs', ids.J3, { created_at: '2026-01-07T12:00:00Z', cancelled_at: '2026-01-08T12:00:00Z' });
  await job('J4', 'C3');
  await set('jobs', ids.J4, { created_at: '2026-01-09T10:00:00Z' });
  await job('J5', 'C2');
  await action(`/v1/jobs/${ids.J5}/assign`, {
    technician_id: ids.T1,
    scheduled_start: '2026-01-12T15:00:00Z',
    scheduled_end: '2026-01-12T17:00:00Z',
  });
  await set('jobs', ids.J5, { created_at: '2026-01-10T12:00:00Z' });
  await job('J6', 'C3'); // created now: today's only job

  // Money. I1 (USD, J1's): 11,000 with tax, 5,000 paid, due 45 days ago.
  await invoice('I1', 'C1', {
    job_id: ids.J1,
    currency: 'USD',
    tax_rate_bps: 1000,
    due_date: daysFromToday(-45),
    line_items: [{ description: 'Repair', quantity: 1, unit_amount: 10_000 }],
  });
  await set('invoices', ids.I1, { sent_at: '2026-01-05T16:00:00Z' });
  const p1 = await action(`/v1/invoices/${ids.I1}/payments`, { amount: 5000, currency: 'USD', method: 'card' });
  await set('payments', p1.id, { created_at: '2026-01-06T12:00:00Z' });
  // I2 (EUR): sent 21:00 on Jan 6 in Chicago, paid in full Jan 8, refunded Jan 9; due in 10 days.
  await invoice('I2', 'C2', {
    currency: 'EUR',
    due_date: daysFromToday(10),
    line_items: [{ description: 'Audit', quantity: 1, unit_amount: 20_000 }],
  });
  await set('invoices', ids.I2, { sent_at: '2026-01-07T03:00:00Z' });
  const p2 = await action(`/v1/invoices/${ids.I2}/payments`, {
    amount: 20_000,
    currency: 'EUR',
    method: 'bank_transfer',
  });
  await action(`/v1/payments/${p2.id}/refund`, { reason: 'duplicate' });
  await set('payments', p2.id, { created_at: '2026-01-08T15:00:00Z', refunded_at: '2026-01-09T15:00:00Z' });
  // I3 (USD, J2's, 5 % tax): paid in cash at 23:30 on Jan 10 in Chicago.
  await invoice('I3', 'C1', {
    job_id: ids.J2,
    currency: 'USD',
    tax_rate_bps: 500,
    line_items: [{ description: 'Parts', quantity: 2, unit_amount: 5000 }],
  });
  await set('invoices', ids.I3, { sent_at: '2026-01-10T15:00:00Z' });
  const p3 = await action(`/v1/invoices/${ids.I3}/payments`, { amount: 10_500, currency: 'USD', method: 'cash' });
  await set('payments', p3.id, { created_at: '2026-01-11T05:30:00Z' });
  await set('invoices', ids.I3, { paid_at: '2026-01-11T05:30:00Z' });
  // I4 voided; I5 sent after the period, 100 days overdue.
  await invoice('I4', 'C3', { currency: 'USD', line_items: [{ description: 'x', quantity: 1, unit_amount: 999 }] });
  await action(`/v1/invoices/${ids.I4}/void`);
  await set('invoices', ids.I4, { sent_at: '2026-01-07T15:00:00Z' });
  await invoice('I5', 'C2', {
    currency: 'USD',
    due_date: daysFromToday(-100),
    line_items: [{ description: 'Service', quantity: 1, unit_amount: 3000 }],
  });
  await set('invoices', ids.I5, { sent_at: '2026-01-15T15:00:00Z' });

  // Tickets: an urgent one open now; a high one opened Jan 6, past due and escalated Jan 8; a
  // normal one opened Jan 6 and resolved late on Jan 7.
  await created('tickets', { subject: 'Now', priority: 'urgent' });
  const late = await created('tickets', { subject: 'Late', priority: 'high' });
  await action(`/v1/tickets/${late.id}/escalate`, { reason: 'Waiting' });
  await set('tickets', late.id, {
    created_at: '2026-01-06T15:00:00Z',
    due_at: '2026-01-07T15:00:00Z',
    escalated_at: '2026-01-08T15:00:00Z',
  });
  const resolved = await created('tickets', { subject: 'Resolved', priority: 'normal' });
  await action(`/v1/tickets/${resolved.id}/resolve`, { resolution: 'Fixed' });
  await set('tickets', resolved.id, {
    created_at: '2026-01-06T15:00:00Z',
    resolved_at: '2026-01-07T15:00:00Z',
    resolved_within_sla: false,
  });

  // Contacts: one of Ada's on Jan 6, one at no customer on Jan 7 (the converted lead's is made now).
  const k1 = await created('contacts', { first_name: 'Kit', customer_id: ids.C1 });
  const k2 = await created('contacts', { first_name: 'Kim' });
  await set('contacts', k1.id, { created_at: '2026-01-06T15:00:00Z' });
  await set('contacts', k2.id, { created_at: '2026-01-07T15:00:00Z' });

  // Leads: three created in the period (one converted Jan 7, one lost), one qualified created now.
  const l1 = await created('leads', { first_name: 'Lee' });
  const l2 = await created('leads', { first_name: 'Lou', stage: 'contacted' });
  await action(`/v1/leads/${l2.id}/convert`);
  const l3 = await created('leads', { first_name: 'Liv' });
  await action(`/v1/leads/${l3.id}/lose`);
  await created('leads', { first_name: 'Lia', stage: 'qualified' });
  await set('leads', l1.id, { created_at: '2026-01-05T15:00:00Z' });
  await set('leads', l2.id, { created_at: '2026-01-06T15:00:00Z', converted_at: '2026-01-07T15:00:00Z' });
  await set('leads', l3.id, { created_at: '2026-01-08T15:00:00Z' });
}

before(async () => {
  ctx = await createTestContext();
  account = await ctx.newAccount('Analytics Co');
  other = await ctx.newAccount('Other Co');
  await buildData();
});
after(async () => ctx.close());

const zeroJobs = { unscheduled: 0, scheduled: 0, in_progress: 0, completed: 0, cancelled: 0 };

describe('GET /v1/analytics/dashboard', () => {
  test('jobs by status, utilisation, money per currency, tickets and leads of the period and of now', async () => {
    const data = await ok(`/v1/analytics/dashboard?${PERIOD}`);
    assert.equal(data.object, 'analytics_dashboard');
    assert.equal(data.time_zone, 'America/Chicago');
    assert.deepEqual([data.from, data.to, data.previous_period], ['2026-01-05', '2026-01-11', null]);
    assert.deepEqual(data.today.jobs_by_status, { ...zeroJobs, unscheduled: 1 });
    assert.deepEqual(data.jobs_by_status, { ...zeroJobs, completed: 2, cancelled: 1, unscheduled: 1 });
    assert.equal(data.jobs, 4);
    const utilisation = data.technician_utilisation;
    assert.deepEqual(
      [utilisation.available_hours_per_technician, utilisation.scheduled_hours, utilisation.available_hours],
      [40, 6, 80],
    );
    assert.equal(utilisation.utilisation, 0.075);
    assert.deepEqual(
      utilisation.technicians.map((t: any) => [t.technician_id, t.scheduled_hours, t.utilisation]),
      [
        [ids.T1, 2, 0.05],
        [ids.T2, 4, 0.1],
      ],
    );
    assert.deepEqual(data.revenue, [
      { currency: 'EUR', invoiced: 20_000, invoices: 1, collected: 20_000 },
      { currency: 'USD', invoiced: 21_500, invoices: 2, collected: 15_500 },
    ]);
    assert.deepEqual(data.overdue, [{ currency: 'USD', amount: 9000, invoices: 2 }]);
    assert.deepEqual(data.open_tickets_by_priority, { low: 0, normal: 0, high: 1, urgent: 1 });
    assert.equal(data.open_tickets_past_due, 1);
    assert.deepEqual(data.tickets, { opened: 2, resolved: 1, resolved_late: 1, escalated: 1 });
    assert.deepEqual(data.open_leads_by_stage, { new: 1, contacted: 0, qualified: 1 });
    assert.deepEqual(data.leads, {
      created: 3,
      by_status: { open: 1, converted: 1, lost: 1 },
      converted: 1,
      conversion_rate: 0.3333,
    });
  });

  test('compare=previous_period answers the same figures for the 7 days before', async () => {
    const data = await ok(`/v1/analytics/dashboard?${PERIOD}&compare=previous_period`);
    const previous = data.previous_period;
    assert.deepEqual([previous.from, previous.to], ['2025-12-29', '2026-01-04']);
    assert.deepEqual(previous.jobs_by_status, zeroJobs);
    assert.deepEqual(previous.revenue, []);
    assert.equal(previous.technician_utilisation.available_hours_per_technician, 40);
    assert.equal(previous.technician_utilisation.scheduled_hours, 0);
    assert.equal(previous.leads.conversion_rate, null);
    assert.equal(previous.today, undefined, 'figures of now are not repeated');
  });
});

describe('GET /v1/analytics/jobs', () => {
  test('counts, durations, on-site time, first-time fix rate, groups and a daily series', async () => {
    const data = await ok(`/v1/analytics/jobs?${PERIOD}`);
    assert.deepEqual(data.summary, {
      created: 4,
      scheduled: 3,
      cancelled: 1,
      completed: 2,
      avg_completion_minutes: 555,
      median_completion_minutes: 555,
      on_site_minutes: 220,
      avg_on_site_minutes: 110,
      first_time_fix_rate: 0.5,
    });
    assert.equal(data.first_time_fix_days, 30);
    assert.deepEqual(
      data.by_technician.map((t: any) => [t.technician_id, t.name, t.completed, t.avg_completion_minutes]),
      [
        [ids.T1, 'Tia', 1, 180],
        [ids.T2, 'Tom', 1, 930],
      ],
    );
    assert.deepEqual(
      data.by_technician.map((t: any) => [t.on_site_minutes, t.first_time_fix_rate]),
      [
        [100, 0],
        [120, 1],
      ],
    );
    assert.deepEqual(
      data.by_priority.map((p: any) => [p.priority, p.completed]),
      [
        ['high', 1],
        ['normal', 1],
      ],
    );
    assert.deepEqual(
      data.by_customer_tag.map((t: any) => [t.tag, t.completed, t.first_time_fix_rate]),
      [['vip', 2, 0.5]],
    );
    assert.deepEqual(
      data.series.map((b: any) => [b.bucket, b.created, b.completed, b.cancelled]),
      [
        ['2026-01-05', 1, 1, 0],
        // Completed at 23:30 in Chicago: Jan 6 there, although Jan 7 in UTC.
        ['2026-01-06', 0, 1, 0],
        ['2026-01-07', 1, 0, 0],
        ['2026-01-08', 0, 0, 1],
        ['2026-01-09', 1, 0, 0],
        ['2026-01-10', 1, 0, 0],
        ['2026-01-11', 0, 0, 0],
      ],
    );
  });

  test('a shorter first-time fix window, weekly and monthly buckets, and the previous period', async () => {
    // J2 made 3 days after J1's completion: within 30 days, not within 2.
    await set('jobs', ids.J2, { created_at: '2026-01-08T18:00:00Z' });
    try {
      const within = (days: number) => ok(`/v1/analytics/jobs?${PERIOD}&first_time_fix_days=${days}`);
      assert.equal((await within(2)).summary.first_time_fix_rate, 1);
      assert.equal((await within(3)).summary.first_time_fix_rate, 0.5);
    } finally {
      await set('jobs', ids.J2, { created_at: '2026-01-05T20:00:00Z' });
    }
    const weekly = await ok(`/v1/analytics/jobs?from=2026-01-01&to=2026-01-14&interval=week`);
    assert.deepEqual(
      weekly.series.map((b: any) => [b.bucket, b.created, b.completed, b.cancelled]),
      [
        ['2025-12-29', 1, 0, 0],
        ['2026-01-05', 4, 2, 1],
        ['2026-01-12', 0, 0, 0],
      ],
    );
    const monthly = await ok(`/v1/analytics/jobs?from=2025-12-01&to=2026-01-31&interval=month`);
    assert.deepEqual(
      monthly.series.map((b: any) => [b.bucket, b.created, b.completed]),
      [
        ['2025-12-01', 0, 0],
        ['2026-01-01', 5, 2],
      ],
    );
    const compared = await ok(`/v1/analytics/jobs?${PERIOD}&compare=previous_period`);
    assert.equal(compared.previous_period.summary.created, 1, 'J1 was created on Jan 2');
    assert.equal(compared.previous_period.summary.completed, 0);
    assert.equal(compared.previous_period.series.length, 7);
  });

  test('in UTC the 23:30 completion lands on the next day', async () => {
    assert.equal((await call('PATCH', '/v1/account/branding', { time_zone: 'UTC' })).status, 200);
    try {
      const data = await ok(`/v1/analytics/jobs?${PERIOD}`);
      assert.equal(data.time_zone, 'UTC');
      assert.deepEqual(
        data.series.slice(0, 3).map((b: any) => [b.bucket, b.completed]),
        [
          ['2026-01-05', 1],
          ['2026-01-06', 0],
          ['2026-01-07', 1],
        ],
      );
    } finally {
      await call('PATCH', '/v1/account/branding', { time_zone: 'America/Chicago' });
    }
  });
});

describe('GET /v1/analytics/revenue', () => {
  test('invoiced, collected, refunded per currency; series; top customers; technicians; aging', async () => {
    const data = await ok(`/v1/analytics/revenue?${PERIOD}`);
    assert.deepEqual(data.totals, [
      {
        currency: 'EUR',
        invoiced: 20_000,
        invoices: 1,
        collected: 20_000,
        refunded: 20_000,
        average_invoice: 20_000,
        net_collected: 0,
      },
      {
        currency: 'USD',
        invoiced: 21_500,
        invoices: 2,
        collected: 15_500,
        refunded: 0,
        average_invoice: 10_750,
        net_collected: 15_500,
      },
    ]);
    const money = (bucket: any) => bucket.currencies.map((c: any) => [c.currency, c.invoiced, c.collected, c.refunded]);
    assert.deepEqual(
      data.series.map((b: any) => [b.bucket, money(b)]),
      [
        ['2026-01-05', [['USD', 11_000, 0, 0]]],
        [
          '2026-01-06',
          [
            ['EUR', 20_000, 0, 0],
            ['USD', 0, 5000, 0],
          ],
        ],
        ['2026-01-07', []],
        ['2026-01-08', [['EUR', 0, 20_000, 0]]],
        ['2026-01-09', [['EUR', 0, 0, 20_000]]],
        ['2026-01-10', [['USD', 10_500, 10_500, 0]]],
        ['2026-01-11', []],
      ],
    );
    assert.deepEqual(data.by_customer, [
      { currency: 'EUR', customer_id: ids.C2, name: 'Brunel Ltd', invoiced: 20_000, invoices: 1, amount_paid: 0 },
      { currency: 'USD', customer_id: ids.C1, name: 'Ada', invoiced: 21_500, invoices: 2, amount_paid: 15_500 },
    ]);
    assert.deepEqual(
      data.by_technician.map((t: any) => [t.currency, t.technician_id, t.invoiced]),
      [
        ['EUR', null, 20_000],
        ['USD', ids.T1, 11_000],
        ['USD', ids.T2, 10_500],
      ],
    );
    assert.deepEqual(data.outstanding, [
      { currency: 'EUR', amount: 20_000, invoices: 1 },
      { currency: 'USD', amount: 9000, invoices: 2 },
    ]);
    assert.deepEqual(data.aging, [
      { currency: 'EUR', current: 20_000, days_1_30: 0, days_31_60: 0, days_61_90: 0, days_over_90: 0 },
      { currency: 'USD', current: 0, days_1_30: 0, days_31_60: 6000, days_61_90: 0, days_over_90: 3000 },
    ]);
  });

  test('top=1 keeps one customer per currency', async () => {
    const data = await ok(`/v1/analytics/revenue?from=2026-01-01&to=2026-01-31&top=1`);
    assert.deepEqual(
      data.by_customer.map((c: any) => [c.currency, c.customer_id, c.invoiced]),
      [
        ['EUR', ids.C2, 20_000],
        ['USD', ids.C1, 21_500],
      ],
    );
  });
});

describe('GET /v1/analytics/customers and /v1/analytics/contacts', () => {
  test('new, active and repeat customers, lifetime value per currency, new by day', async () => {
    const data = await ok(`/v1/analytics/customers?${PERIOD}&compare=previous_period`);
    assert.equal(data.object, 'customer_analytics');
    assert.deepEqual(
      [data.new_customers, data.active_customers, data.repeat_customers, data.repeat_rate],
      [2, 2, 1, 1],
    );
    assert.deepEqual(data.lifetime_value, [
      { currency: 'EUR', customers: 1, total: 0, average: 0 },
      { currency: 'USD', customers: 1, total: 15_500, average: 15_500 },
    ]);
    assert.deepEqual(
      data.series.filter((b: any) => b.new_customers).map((b: any) => [b.bucket, b.new_customers]),
      [
        ['2026-01-05', 1],
        ['2026-01-11', 1],
      ],
    );
    const previous = data.previous_period;
    assert.deepEqual([previous.new_customers, previous.active_customers, previous.repeat_rate], [0, 0, null]);
    assert.deepEqual(previous.lifetime_value, []);
  });

  test('a customer whose earlier job was completed before the period is a repeat customer', async () => {
    const data = await ok('/v1/analytics/customers?from=2026-01-06&to=2026-01-11');
    assert.deepEqual([data.active_customers, data.repeat_customers, data.repeat_rate], [2, 1, 1]);
    const later = await ok('/v1/analytics/customers?from=2026-01-07&to=2026-01-11');
    assert.deepEqual([later.repeat_customers, later.repeat_rate], [0, null], 'no job completed in it');
  });

  test('new contacts, those at a customer, leads converted', async () => {
    const data = await ok(`/v1/analytics/contacts?${PERIOD}&interval=week`);
    assert.deepEqual([data.new_contacts, data.with_customer, data.from_leads], [2, 1, 1]);
    assert.deepEqual(data.series, [{ bucket: '2026-01-05', new_contacts: 2 }]);
  });
});

describe('GET /v1/finance/stats', () => {
  test('billed, paid and tax collected, payments by method, owed and overdue now', async () => {
    const data = await ok(`/v1/finance/stats?${PERIOD}`);
    assert.equal(data.object, 'finance_stats');
    assert.deepEqual(data.totals, [
      {
        currency: 'EUR',
        invoices: 1,
        subtotal: 20_000,
        tax: 0,
        total: 20_000,
        paid_invoices: 0,
        paid_total: 0,
        tax_collected: 0,
        collected: 20_000,
        refunded: 20_000,
        net_collected: 0,
      },
      {
        currency: 'USD',
        invoices: 2,
        subtotal: 20_000,
        tax: 1500,
        total: 21_500,
        paid_invoices: 1,
        paid_total: 10_500,
        tax_collected: 500,
        collected: 15_500,
        refunded: 0,
        net_collected: 15_500,
      },
    ]);
    assert.deepEqual(data.payments_by_method, [
      { currency: 'EUR', method: 'bank_transfer', payments: 1, amount: 20_000, refunded: 20_000 },
      { currency: 'USD', method: 'card', payments: 1, amount: 5000, refunded: 0 },
      { currency: 'USD', method: 'cash', payments: 1, amount: 10_500, refunded: 0 },
    ]);
    assert.deepEqual(data.outstanding, [
      { currency: 'EUR', amount: 20_000, invoices: 1 },
      { currency: 'USD', amount: 9000, invoices: 2 },
    ]);
    assert.deepEqual(data.overdue, [{ currency: 'USD', amount: 9000, invoices: 2 }]);
  });
});

describe('tenancy and access', () => {
  test("another account's numbers never include this account's data, and the reverse", async () => {
    const theirs = await ctx.call('POST', '/v1/customers', {
      key: other.key,
      body: { name: 'Theirs', email: 'theirs@analytics.example' },
    });
    const invoice = await ctx.call('POST', '/v1/invoices', {
      key: other.key,
      body: {
        customer_id: theirs.body.data.id,
        currency: 'USD',
        line_items: [{ description: 'x', quantity: 1, unit_amount: 777 }],
      },
    });
    await ctx.call('POST', `/v1/invoices/${invoice.body.data.id}/send`, { key: other.key });
    await set('invoices', invoice.body.data.id, { sent_at: '2026-01-06T12:00:00Z' });
    const mine = await ok(`/v1/analytics/revenue?${PERIOD}`);
    assert.equal(mine.totals.find((t: any) => t.currency === 'USD').invoiced, 21_500);
    const seen = await ok(`/v1/analytics/revenue?${PERIOD}`, other.key);
    assert.equal(seen.time_zone, 'UTC', 'their own time zone (none set)');
    assert.deepEqual(
      seen.totals.map((t: any) => [t.currency, t.invoiced, t.collected]),
      [['USD', 777, 0]],
    );
    assert.deepEqual(
      seen.aging.map((a: any) => [a.currency, a.current]),
      [['USD', 777]],
    );
    const dashboard = await ok(`/v1/analytics/dashboard?${PERIOD}`, other.key);
    assert.deepEqual(dashboard.technician_utilisation.technicians, []);
    assert.equal(dashboard.jobs, 0);
    assert.equal(dashboard.open_tickets_past_due, 0);
  });

  test('a key without read:analytics is refused with 403 insufficient_scope; one with it reads', async () => {
    const jobsOnly = await ctx.newKey(account.id, ['read:jobs', 'read:invoices']);
    const paths = ['dashboard', 'jobs', 'revenue', 'customers', 'contacts'].map((name) => `/v1/analytics/${name}`);
    for (const path of [...paths, '/v1/finance/stats']) {
      const refused = await ctx.call('GET', path, { key: jobsOnly });
      assert.equal(refused.status, 403, path);
      assert.equal(refused.body.code, 'insufficient_scope');
    }
    const analytics = await ctx.newKey(account.id, ['read:analytics']);
    assert.equal((await ok(`/v1/analytics/jobs?${PERIOD}`, analytics)).summary.completed, 2);
  });
});

describe('bad input', () => {
  for (const [query, status] of [
    ['from=2026-01-11&to=2026-01-05', 400],
    ['from=2024-01-01&to=2026-01-05', 400],
    ['from=2020-01-01&to=2026-01-05&interval=month', 400],
    ['from=2026-13-01&to=2026-01-05', 400],
    ['interval=hour', 400],
    ['compare=last_year', 400],
    ['first_time_fix_days=0', 400],
    ['unknown=1', 400],
  ] as const) {
    test(`${query}: ${status} problem`, async () => {
      const response = await ctx.call('GET', `/v1/analytics/jobs?${query}`, { key: account.key });
      assert.equal(response.status, status, response.text);
      assert.match(response.headers.get('content-type') ?? '', /problem\+json/);
    });
  }

  test('the longest periods are accepted: 366 days by day, 5 years by month', async () => {
    await ok('/v1/analytics/revenue?from=2025-01-06&to=2026-01-06');
    const monthly = await ok('/v1/analytics/revenue?from=2021-01-07&to=2026-01-06&interval=month');
    assert.equal(monthly.series.length, 61);
  });
});
