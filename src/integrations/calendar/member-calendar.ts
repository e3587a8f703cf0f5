// What a calendar connector (Google Calendar, Microsoft Graph) offers the shared calendar sync
// (member-calendar-sync.ts): events of the connected member's own calendar made, moved and
// deleted, and the busy times of a window. Each provider's file turns its documented REST shapes
// into these.

/** One of our jobs as a calendar event. */
export interface EventInput {
  /** Our job's id: the provider keeps it on the event (Google's private extended property). */
  jobId: string;
  /** Stable per job and calendar, so a create redone after a crash finds the event the first made. */
  key: string;
  subject: string;
  text: string;
  startsAt: string;
  endsAt: string;
  location: string | null;
}

/** An event as the provider answers it, times as RFC 3339 instants with milliseconds (UTC). */
export interface CalendarEvent {
  id: string;
  subject: string | null;
  startsAt: string;
  endsAt: string;
}

/** A time the member is busy in their calendar (not one of our job events). */
export interface BusyTime {
  eventId: string;
  subject: string | null;
  startsAt: string;
  endsAt: string;
}

export interface MemberCalendar {
  /** The people's name of the calendar, in schedule blocks' notes (`Busy in Outlook: ...`). */
  label: string;
  /** Makes the event; a create redone with the same `key` answers (or revives) the event the first made. */
  create(input: EventInput): Promise<CalendarEvent>;
  /** Moves or renames an event; null when the person deleted it in their calendar. */
  update(id: string, input: EventInput): Promise<CalendarEvent | null>;
  /** Deletes an event; one already gone is fine. */
  remove(id: string): Promise<void>;
  /** The busy times between two instants, every page; our own job events are left out by the caller. */
  busyTimes(from: string, to: string): Promise<BusyTime[]>;
}
