// The Microsoft Graph v1.0 calendar calls of the connector, as documented: events of the signed-in
// user's calendar created (with a transactionId, so a retried POST answers the event the first
// made), moved (PATCH) and deleted, and the calendar view of a window (paged, in UTC by the
// `outlook.timezone` preference) whose busy times become schedule blocks. It is the
// MemberCalendar of the shared calendar sync (src/integrations/calendar/member-calendar-sync.ts).
import { z } from 'zod';
import type { BusyTime, CalendarEvent, EventInput, MemberCalendar } from '../calendar/member-calendar.ts';
import { ProviderAnswerInvalid, ProviderRefused, type ProviderApi } from '../provider-api.ts';
import { NoContent } from './graph-shapes.ts';

const GraphTime = z.object({ dateTime: z.string().min(1), timeZone: z.string() });

export const GraphEvent = z.object({
  id: z.string().min(1),
  subject: z.string().nullish(),
  start: GraphTime,
  end: GraphTime,
  showAs: z.string().nullish(),
  isCancelled: z.boolean().default(false),
});
export type GraphEvent = z.infer<typeof GraphEvent>;

const CalendarPage = z.object({ value: z.array(GraphEvent), '@odata.nextLink': z.string().optional() });

const IN_UTC = 'outlook.timezone="UTC"';
/** Showing as free (or working elsewhere) does not take the technician's time. */
const NOT_BUSY = new Set(['free', 'workingElsewhere']);

/** `2026-12-08T09:00:00.0000000` in UTC -> RFC 3339 with milliseconds, or a malformed answer. */
export function instantOf(time: { dateTime: string; timeZone: string }): string {
  const at = new Date(`${time.dateTime.slice(0, 23)}Z`);
  if (time.timeZone !== 'UTC' || Number.isNaN(at.getTime()))
    throw new ProviderAnswerInvalid(`Microsoft Graph gave an event time not in UTC: ${time.timeZone}`);
  return at.toISOString();
}

const graphTime = (iso: string) => ({ dateTime: iso.slice(0, 19), timeZone: 'UTC' });

const eventOf = (event: GraphEvent): CalendarEvent => ({
  id: event.id,
  subject: event.subject ?? null,
  startsAt: instantOf(event.start),
  endsAt: instantOf(event.end),
});

export function graphCalendar(api: ProviderApi, base: string): MemberCalendar {
  const event = (id: string) => `${base}/me/events/${encodeURIComponent(id)}`;
  const fields = (input: EventInput) => ({
    subject: input.subject,
    body: { contentType: 'text', content: input.text },
    start: graphTime(input.startsAt),
    end: graphTime(input.endsAt),
    ...(input.location ? { location: { displayName: input.location } } : {}),
    showAs: 'busy',
  });

  return {
    label: 'Outlook',
    // The key, stable per job and member, is the transactionId: Graph answers a POST it already saw
    // with the event it made.
    create: async (input: EventInput) =>
      eventOf(
        await api.json(`${base}/me/events`, GraphEvent, {
          method: 'POST',
          json: { ...fields(input), transactionId: `fieldline-${input.key}`.slice(0, 200) },
          headers: { prefer: IN_UTC },
        }),
      ),

    /** Moves or renames an event; null when the person deleted it in Outlook (404). */
    async update(id: string, input: EventInput): Promise<CalendarEvent | null> {
      try {
        return eventOf(
          await api.json(event(id), GraphEvent, {
            method: 'PATCH',
            json: fields(input),
            headers: { prefer: IN_UTC },
          }),
        );
      } catch (error) {
        if (error instanceof ProviderRefused && error.status === 404) return null;
        throw error;
      }
    },

    /** Deletes an event; one already gone is fine. */
    async remove(id: string): Promise<void> {
      try {
        await api.json(event(id), NoContent, { method: 'DELETE' });
      } catch (error) {
        if (!(error instanceof ProviderRefused && error.status === 404)) throw error;
      }
    },

    /** The busy times of the calendar between two instants, every page. */
    async busyTimes(from: string, to: string): Promise<BusyTime[]> {
      const busy: BusyTime[] = [];
      let link: string | null = null;
      for (let pages = 0; pages < 100; pages++) {
        if (link !== null && !link.startsWith(`${base}/`))
          throw new ProviderAnswerInvalid('a Microsoft Graph calendar link leads outside Microsoft Graph');
        const page: z.infer<typeof CalendarPage> = await api.json(link ?? `${base}/me/calendarView`, CalendarPage, {
          query: link
            ? undefined
            : { startDateTime: from, endDateTime: to, $select: 'id,subject,start,end,showAs,isCancelled' },
          headers: { prefer: `${IN_UTC}, odata.maxpagesize=50` },
        });
        for (const item of page.value)
          if (!item.isCancelled && !NOT_BUSY.has(item.showAs ?? 'busy'))
            busy.push({
              eventId: item.id,
              subject: item.subject ?? null,
              startsAt: instantOf(item.start),
              endsAt: instantOf(item.end),
            });
        link = page['@odata.nextLink'] ?? null;
        if (!link) return busy;
      }
      throw new ProviderAnswerInvalid('Microsoft Graph kept giving calendar pages (over 100)');
    },
  };
}
