import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dayOf, findWhen, instantOf } from './date-phrase.ts';

// Tuesday 8 December 2026, 15:00 UTC: 09:00 in Chicago, 16:00 in Berlin.
const now = new Date('2026-12-08T15:00:00Z');
const chicago = { now, timeZone: 'America/Chicago' };
const utc = { now, timeZone: 'UTC' };
const local = (text: string, clock = chicago) => findWhen(text, clock)?.local;

describe('date phrases', () => {
  it('places the same words at a different instant in each account time zone', () => {
    const inChicago = findWhen('Tuesday at 9', chicago)!;
    const inBerlin = findWhen('Tuesday at 9', { now, timeZone: 'Europe/Berlin' })!;
    assert.equal(inChicago.local, '2026-12-15T09:00');
    assert.equal(inBerlin.local, '2026-12-15T09:00');
    assert.equal(inChicago.start, '2026-12-15T15:00:00.000Z');
    assert.equal(inBerlin.start, '2026-12-15T08:00:00.000Z');
  });

  it('reads a weekday said on that weekday as next week’s, and a later one as this week’s', () => {
    assert.equal(local('Tuesday at 9'), '2026-12-15T09:00');
    assert.equal(local('Friday at 9'), '2026-12-11T09:00');
    assert.equal(local('this Friday at 9'), '2026-12-11T09:00');
    assert.equal(local('next Friday at 9'), '2026-12-18T09:00');
    assert.equal(local('next Monday at noon'), '2026-12-14T12:00');
  });

  it('reads relative days, dates and times of day', () => {
    assert.equal(local('today at 9:30 am'), '2026-12-08T09:30');
    assert.equal(local('tomorrow at 2pm'), '2026-12-09T14:00');
    assert.equal(local('tomorrow at noon'), '2026-12-09T12:00');
    assert.equal(local('March 3rd at 10'), '2027-03-03T10:00');
    assert.equal(local('Dec 14 at 9:30'), '2026-12-14T09:30');
  });

  it('takes 1 to 6 without am or pm as the afternoon, and a day without a time as 09:00', () => {
    assert.equal(local('tomorrow at 4'), '2026-12-09T16:00');
    assert.equal(local('tomorrow at 4 am'), '2026-12-09T04:00');
    assert.equal(local('tomorrow at 8'), '2026-12-09T08:00');
    const dayOnly = findWhen('on Thursday', chicago)!;
    assert.equal(dayOnly.local, '2026-12-10T09:00');
    assert.equal(dayOnly.hasTime, false);
  });

  it('puts a time without a day today while it is still to come, else tomorrow', () => {
    // 09:00 in Chicago now: 10 is still to come, 8 has passed.
    assert.equal(local('at 10'), '2026-12-08T10:00');
    assert.equal(local('at 8:15'), '2026-12-09T08:15');
    assert.equal(local('at 8:15', utc), '2026-12-09T08:15');
  });

  it('finds no phrase where none is said', () => {
    assert.equal(findWhen('create customer Bob phone 555 123 4567', chicago), null);
    assert.equal(findWhen('invoice the Jones job', chicago), null);
  });

  it('gives a local day as the instants it starts and ends at, across a daylight-saving change', () => {
    const day = dayOf(findWhen('March 8th', { now, timeZone: 'America/New_York' })!);
    assert.deepEqual(day, { from: '2027-03-08T05:00:00.000Z', to: '2027-03-09T05:00:00.000Z', date: '2027-03-08' });
    // 2027-03-14: clocks go forward at 02:00 in New York, so that day has 23 hours.
    const short = dayOf(findWhen('March 14th', { now, timeZone: 'America/New_York' })!);
    assert.equal(Date.parse(short.to) - Date.parse(short.from), 23 * 3_600_000);
    assert.equal(
      instantOf({ year: 2027, month: 3, day: 14, hour: 9, minute: 0 }, 'America/New_York').toISOString(),
      '2027-03-14T13:00:00.000Z',
    );
  });
});
