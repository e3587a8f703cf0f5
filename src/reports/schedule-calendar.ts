// When a report schedule runs, in the account's time zone: weekly on an ISO weekday (1 Monday ..
// 7 Sunday) or monthly on a day (1-28, so every month has it), at a local hour. A run covers the
// period just ended: the 7 days before it (weekly) or the calendar month before (monthly).

export interface Cadence {
  cadence: 'weekly' | 'monthly';
  weekday: number | null;
  day_of_month: number | null;
  hour: number;
}

const DAY_MS = 86_400_000;

export const addDays = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** The calendar day (YYYY-MM-DD) it is at `instant` in `zone`. */
export const localDay = (instant: number, zone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(instant);

/** How far ahead of UTC `zone`'s clocks are at `instant`, in ms. */
function offsetAt(instant: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant the clocks in `zone` show `hour`:00 on `day` (in a gap at a DST change, an hour later). */
export function zonedInstant(day: string, hour: number, zone: string): number {
  const wall = Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00Z`);
  const first = wall - offsetAt(wall, zone);
  return wall - offsetAt(first, zone);
}

/** The first day on or after `day` the schedule runs on. */
function runDayOnOrAfter(schedule: Cadence, day: string): string {
  if (schedule.cadence === 'weekly') {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
    return addDays(day, (schedule.weekday! - weekday + 7) % 7);
  }
  const [year, month, date] = day.split('-').map(Number);
  const target = schedule.day_of_month!;
  const start = date <= target ? Date.UTC(year, month - 1, target) : Date.UTC(year, month, target);
  return new Date(start).toISOString().slice(0, 10);
}

/** The schedule's next run after `now`: its local day, and the instant. */
export function nextRun(schedule: Cadence, now: number, zone: string): { day: string; at: number } {
  let day = runDayOnOrAfter(schedule, localDay(now, zone));
  if (zonedInstant(day, schedule.hour, zone) <= now) day = runDayOnOrAfter(schedule, addDays(day, 1));
  return { day, at: zonedInstant(day, schedule.hour, zone) };
}

/** The days (inclusive) a run on `day` reports on: the period just ended. */
export function periodBefore(schedule: Cadence, day: string): { from: string; to: string } {
  if (schedule.cadence === 'weekly') return { from: addDays(day, -7), to: addDays(day, -1) };
  const [year, month] = day.split('-').map(Number);
  const from = new Date(Date.UTC(year, month - 2, 1)).toISOString().slice(0, 10);
  const to = new Date(Date.UTC(year, month - 1, 0)).toISOString().slice(0, 10);
  return { from, to };
}
