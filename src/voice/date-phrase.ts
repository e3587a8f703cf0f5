// Day and time phrases of spoken commands ("Tuesday at 9", "tomorrow 9:30 am", "next Monday at
// noon", "March 3rd") -> instants in the account's time zone. chrono-node finds the phrase and
// its parts; we compute the instant ourselves, because chrono knows offsets, not IANA zones: it
// is handed the account's wall clock as if it were UTC, and the wall time it answers is placed
// in the account's zone here. Conventions (tested in date-phrase.test.ts):
// - a weekday is the next one to come, never today: "Tuesday" said on a Tuesday is next week's;
// - "next Friday" is the Friday of next week (chrono's reading), "this Friday" the coming one;
// - an hour from 1 to 6 without am/pm is in the afternoon ("at 4" = 16:00): work hours;
// - a day without a time starts at 09:00; a time without a day is today's, or tomorrow's once past.
import { lazyRequire } from '../platform/lazy-require.ts';

const chronoNode = lazyRequire<typeof import('chrono-node')>('chrono-node');

export interface WhenPhrase {
  /** The instant, RFC 3339 UTC. */
  start: string;
  /** The same instant as the account's wall clock shows it: `2026-12-15T09:00`. */
  local: string;
  timeZone: string;
  /** The words that said it, and where they stand in the text. */
  text: string;
  index: number;
  /** Whether the words named a time of day (else the day starts at DEFAULT_HOUR). */
  hasTime: boolean;
}

export interface Clock {
  now: Date;
  /** IANA zone of the account (account_branding.time_zone; UTC when unset). */
  timeZone: string;
}

const DEFAULT_HOUR = 9;

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const pad = (n: number) => String(n).padStart(2, '0');
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of `zone` at `instant`. */
export function wallTimeAt(instant: Date, zone: string): WallTime {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  };
}

const asUtc = (t: WallTime) => Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);

/** The instant the wall clock of `zone` shows `wall` (the later one of a repeated hour, skipping a missing one). */
export function instantOf(wall: WallTime, zone: string): Date {
  const target = asUtc(wall);
  let guess = target;
  // Two rounds settle any offset change (a daylight-saving switch near the time).
  for (let round = 0; round < 2; round++) guess = target - (asUtc(wallTimeAt(new Date(guess), zone)) - guess);
  return new Date(guess);
}

export const localText = (t: WallTime) => `${t.year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}`;

/** The first day/time phrase in `text`, or null when it names none. */
export function findWhen(text: string, clock: Clock): WhenPhrase | null {
  const wallNow = wallTimeAt(clock.now, clock.timeZone);
  const reference = { instant: new Date(asUtc(wallNow)), timezone: 0 };
  const [found] = chronoNode().parse(text, reference, { forwardDate: true });
  if (!found) return null;
  const start = found.start;
  const hasDay = start.isCertain('day') || start.isCertain('weekday');
  const hasTime = start.isCertain('hour');
  if (!hasDay && !hasTime) return null; // "afternoon" alone: no day, no hour
  let hour = hasTime ? start.get('hour')! : DEFAULT_HOUR;
  if (hasTime && !start.isCertain('meridiem') && hour >= 1 && hour <= 6) hour += 12;
  const minute = hasTime ? (start.get('minute') ?? 0) : 0;
  let wall: WallTime = { year: start.get('year')!, month: start.get('month')!, day: start.get('day')!, hour, minute };
  const today = wall.year === wallNow.year && wall.month === wallNow.month && wall.day === wallNow.day;
  // chrono reads "Tuesday at 9" said on a Tuesday before 9 as today; a weekday named is never today.
  if (start.isCertain('weekday') && !start.isCertain('day') && today) wall = shiftDays(wall, 7);
  if (!hasDay) {
    // A time alone: today's if still to come, else tomorrow's.
    wall = { ...wallNow, hour, minute };
    if (asUtc(wall) <= asUtc(wallNow)) wall = shiftDays(wall, 1);
  }
  const instant = instantOf(wall, clock.timeZone);
  return {
    start: instant.toISOString(),
    local: localText(wall),
    timeZone: clock.timeZone,
    text: found.text,
    index: found.index,
    hasTime,
  };
}

/** `wall` moved by whole days (the calendar's, whatever the zone's offsets do). */
export function shiftDays(wall: WallTime, days: number): WallTime {
  const moved = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + days));
  return { ...wall, year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** The local day a phrase names, as the instants it starts and ends at (for "what is scheduled tomorrow"). */
export function dayOf(when: WhenPhrase): { from: string; to: string; date: string } {
  const [date] = when.local.split('T');
  const [year, month, day] = date.split('-').map(Number);
  const first = { year, month, day, hour: 0, minute: 0 };
  return {
    from: instantOf(first, when.timeZone).toISOString(),
    to: instantOf(shiftDays(first, 1), when.timeZone).toISOString(),
    date,
  };
}

/** `start` plus `minutes`, RFC 3339 UTC. */
export const addMinutes = (start: string, minutes: number) =>
  new Date(Date.parse(start) + minutes * 60_000).toISOString();
