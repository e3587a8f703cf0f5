// The Google Calendar API v3 calls of the connector, as documented
// (https://developers.google.com/calendar/api/v3/reference): events of the member's `primary`
// calendar inserted with an id of ours (stable per job and member, so an insert redone after a
// crash meets 409 "already exists" and becomes a patch of that event, a deleted one revived),
// patched when the job moves, deleted; and events.list of a window (single events, in UTC, paged)
// whose opaque, confirmed events are busy times. Our events carry the job's id in
// `extendedProperties.private`, so they are never read back as busy times.
import { z } from 'zod';
import { baseUrl, GOOGLE_DEFAULT_URLS, type IntegrationSettings } from '../integration-settings.ts';
import { ProviderAnswerInvalid, ProviderRefused, type ProviderApi } from '../provider-api.ts';
import type { BusyTime, CalendarEvent, EventInput, MemberCalendar } from '../calendar/member-calendar.ts';

/** The private extended property naming our job. */
export const JOB_PROPERTY = 'fieldlineJobId';

const GoogleTime = z.object({ dateTime: z.string().optional(), date: z.string().optional() });

export const GoogleEvent = z.object({
  id: z.string().min(1),
  status: z.string().optional(),
  summary: z.string().nullish(),
  start: GoogleTime.optional(),
  end: GoogleTime.optional(),
  transparency: z.string().optional(),
  extendedProperties: z.object({ private: z.record(z.string(), z.string()).optional() }).optional(),
});
type GoogleEvent = z.infer<typeof GoogleEvent>;

const EventsPage = z.object({ items: z.array(GoogleEvent).default([]), nextPageToken: z.string().optional() });

export const GoogleCalendarEntry = z.object({ id: z.string().min(1), summary: z.string().nullish() });

/** The Calendar API's base: https://www.googleapis.com/calendar/v3 unless configured. */
export const calendarBase = (settings: IntegrationSettings) =>
  `${baseUrl(settings.google?.calendarUrl ?? GOOGLE_DEFAULT_URLS.calendarUrl)}/calendar/v3`;

/**
 * Our event id for a job in one member's calendar: Google takes 5-1024 characters of base32hex
 * (a-v, 0-9); hex of the key is that, and the same key always gives the same id.
 */
export const eventIdOf = (key: string) => `fl${Buffer.from(key, 'utf8').toString('hex')}`;

/** An event's time as an RFC 3339 instant with milliseconds; an all-day date is its UTC day. */
function instantOf(time: z.infer<typeof GoogleTime> | undefined): string {
  const text = time?.dateTime ?? (time?.date ? `${time.date}T00:00:00Z` : undefined);
  const at = text ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) throw new ProviderAnswerInvalid('Google Calendar gave an event without a time');
  return at.toISOString();
}

const eventOf = (event: GoogleEvent): CalendarEvent => ({
  id: event.id,
  subject: event.summary ?? null,
  startsAt: instantOf(event.start),
  endsAt: instantOf(event.end),
});

const gone = (error: unknown) => error instanceof ProviderRefused && (error.status === 404 || error.status === 410);

export function googleCalendar(api: ProviderApi, settings: IntegrationSettings): MemberCalendar {
  const base = `${calendarBase(settings)}/calendars/primary/events`;
  const event = (id: string) => `${base}/${encodeURIComponent(id)}`;
  const fields = (input: EventInput) => ({
    summary: input.subject,
    description: input.text,
    start: { dateTime: input.startsAt, timeZone: 'UTC' },
    end: { dateTime: input.endsAt, timeZone: 'UTC' },
    ...(input.location ? { location: input.location } : {}),
    transparency: 'opaque',
    extendedProperties: { private: { [JOB_PROPERTY]: input.jobId } },
  });
  const patch = async (id: string, body: Record<string, unknown>) =>
    eventOf(await api.json(event(id), GoogleEvent, { method: 'PATCH', json: body }));

  return {
    label: 'Google Calendar',
    async create(input) {
      const id = eventIdOf(input.key);
      try {
        return eventOf(await api.json(base, GoogleEvent, { method: 'POST', json: { id, ...fields(input) } }));
      } catch (error) {
        // Made by a step that did not commit, or deleted earlier (Google keeps the id): that event, as now.
        if (!(error instanceof ProviderRefused && error.status === 409)) throw error;
        return patch(id, { ...fields(input), status: 'confirmed' });
      }
    },
    async update(id, input) {
      try {
        return await patch(id, fields(input));
      } catch (error) {
        if (gone(error)) return null;
        throw error;
      }
    },
    async remove(id) {
      try {
        await api.json(event(id), z.unknown(), { method: 'DELETE' });
      } catch (error) {
        if (!gone(error)) throw error;
      }
    },
    async busyTimes(from, to) {
      const busy: BusyTime[] = [];
      let pageToken: string | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const page: z.infer<typeof EventsPage> = await api.json(base, EventsPage, {
          query: {
            timeMin: from,
            timeMax: to,
            singleEvents: 'true',
            orderBy: 'startTime',
            timeZone: 'UTC',
            maxResults: '250',
            ...(pageToken ? { pageToken } : {}),
          },
        });
        for (const item of page.items)
          if (
            item.status !== 'cancelled' &&
            item.transparency !== 'transparent' &&
            !item.extendedProperties?.private?.[JOB_PROPERTY]
          )
            busy.push({ eventId: item.id, ...eventOf(item) });
        pageToken = page.nextPageToken;
        if (!pageToken) return busy;
      }
      throw new ProviderAnswerInvalid('Google Calendar kept giving event pages (over 100)');
    },
  };
}
