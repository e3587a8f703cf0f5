import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addMonths,
  dayIn,
  dueVisits,
  firstVisitAfter,
  termEndsOn,
  visitOn,
  type VisitSchedule,
} from './visit-dates.ts';

const monthly = (starts_on: string, interval_count = 1): VisitSchedule => ({
  starts_on,
  interval_unit: 'month',
  interval_count,
});

test('months clamp to the last day of a shorter month, and never drift', () => {
  assert.equal(addMonths('2026-01-31', 1), '2026-02-28');
  assert.equal(addMonths('2028-01-31', 1), '2028-02-29');
  assert.equal(addMonths('2026-11-30', 3), '2027-02-28');
  assert.equal(addMonths('2026-03-15', -3), '2025-12-15');
  const jan31 = monthly('2026-01-31');
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((n) => visitOn(jan31, n)),
    ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31'],
  );
});

test('weeks and years count from the first visit; Feb 29 falls back to Feb 28 in common years', () => {
  const fortnightly: VisitSchedule = { starts_on: '2026-12-28', interval_unit: 'week', interval_count: 2 };
  assert.deepEqual(
    [0, 1, 2].map((n) => visitOn(fortnightly, n)),
    ['2026-12-28', '2027-01-11', '2027-01-25'],
  );
  const leap: VisitSchedule = { starts_on: '2028-02-29', interval_unit: 'year', interval_count: 1 };
  assert.deepEqual(
    [0, 1, 4].map((n) => visitOn(leap, n)),
    ['2028-02-29', '2029-02-28', '2032-02-29'],
  );
});

test('the first visit after a date is the next one of the schedule, whatever the date', () => {
  const jan31 = monthly('2026-01-31');
  assert.equal(firstVisitAfter(jan31, '2025-06-01'), '2026-01-31', 'before the first visit: the first visit');
  assert.equal(firstVisitAfter(jan31, '2026-01-31'), '2026-02-28');
  assert.equal(firstVisitAfter(jan31, '2026-02-28'), '2026-03-31', 'not Mar 28: counted from the first visit');
  assert.equal(firstVisitAfter(jan31, '2026-03-01'), '2026-03-31');
  assert.equal(firstVisitAfter(jan31, '2036-01-30'), '2036-01-31', 'ten years on, the estimate is corrected');
  const sixMonthly = monthly('2016-08-31', 6);
  assert.equal(firstVisitAfter(sixMonthly, '2026-02-27'), '2026-02-28');
  assert.equal(firstVisitAfter(sixMonthly, '2026-02-28'), '2026-08-31');
  const weekly: VisitSchedule = { starts_on: '2026-01-05', interval_unit: 'week', interval_count: 1 };
  assert.equal(firstVisitAfter(weekly, '2026-01-11'), '2026-01-12');
  assert.equal(firstVisitAfter(weekly, '2026-01-12'), '2026-01-19');
});

test('a round takes the visits up to its horizon, at most its limit, and says where the next begins', () => {
  const schedule = monthly('2026-01-31');
  assert.deepEqual(dueVisits(schedule, '2026-01-31', '2026-04-15', 50), {
    visits: ['2026-01-31', '2026-02-28', '2026-03-31'],
    next: '2026-04-30',
  });
  assert.deepEqual(dueVisits(schedule, '2026-02-28', '2026-12-31', 2), {
    visits: ['2026-02-28', '2026-03-31'],
    next: '2026-04-30',
  });
  assert.deepEqual(dueVisits(schedule, '2026-04-30', '2026-04-29', 50), { visits: [], next: '2026-04-30' });
});

test('a term ends the day before the next one starts', () => {
  assert.equal(termEndsOn('2026-01-01', 12), '2026-12-31');
  assert.equal(termEndsOn('2026-01-31', 1), '2026-02-27', 'the next term starts on Feb 28, with the visit');
  assert.equal(termEndsOn('2026-03-15', 24), '2028-03-14');
});

test('today is the calendar day in the given time zone', () => {
  const instant = Date.parse('2026-03-01T03:00:00Z');
  assert.equal(dayIn(instant, 'UTC'), '2026-03-01');
  assert.equal(dayIn(instant, 'America/New_York'), '2026-02-28');
  assert.equal(dayIn(instant, 'Asia/Tokyo'), '2026-03-01');
});
