import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextRun, periodBefore, zonedInstant } from './schedule-calendar.ts';

const weekly = { cadence: 'weekly' as const, weekday: 1, day_of_month: null, hour: 7 };
const monthly = { cadence: 'monthly' as const, weekday: null, day_of_month: 1, hour: 6 };

test('local hours across time zones and DST changes', () => {
  assert.equal(new Date(zonedInstant('2026-07-01', 7, 'America/New_York')).toISOString(), '2026-07-01T11:00:00.000Z');
  assert.equal(new Date(zonedInstant('2026-01-05', 7, 'America/New_York')).toISOString(), '2026-01-05T12:00:00.000Z');
  assert.equal(new Date(zonedInstant('2026-03-29', 9, 'Europe/Paris')).toISOString(), '2026-03-29T07:00:00.000Z');
  assert.equal(new Date(zonedInstant('2026-03-28', 9, 'Europe/Paris')).toISOString(), '2026-03-28T08:00:00.000Z');
  assert.equal(new Date(zonedInstant('2026-06-01', 0, 'Asia/Kolkata')).toISOString(), '2026-05-31T18:30:00.000Z');
});

test('weekly: the next Monday at 07:00 local, today if it is still ahead', () => {
  // Monday 2026-12-07, 06:59 in New York (11:59 UTC): today's run is ahead.
  assert.deepEqual(nextRun(weekly, Date.parse('2026-12-07T11:59:00Z'), 'America/New_York'), {
    day: '2026-12-07',
    at: Date.parse('2026-12-07T12:00:00Z'),
  });
  assert.equal(nextRun(weekly, Date.parse('2026-12-07T12:00:00Z'), 'America/New_York').day, '2026-12-14');
  assert.equal(nextRun(weekly, Date.parse('2026-12-09T12:00:00Z'), 'America/New_York').day, '2026-12-14');
  assert.deepEqual(periodBefore(weekly, '2026-12-14'), { from: '2026-12-07', to: '2026-12-13' });
});

test('monthly: the day of the month at the hour, covering the month before', () => {
  assert.equal(nextRun(monthly, Date.parse('2026-12-06T12:00:00Z'), 'UTC').day, '2027-01-01');
  assert.equal(nextRun(monthly, Date.parse('2026-12-01T05:00:00Z'), 'UTC').day, '2026-12-01');
  assert.deepEqual(periodBefore(monthly, '2027-01-01'), { from: '2026-12-01', to: '2026-12-31' });
  assert.deepEqual(periodBefore(monthly, '2026-03-01'), { from: '2026-02-01', to: '2026-02-28' });
});
