// Microsoft Graph v1.0 calendar as the fake Microsoft (fake-microsoft.ts) plays it for one
// signed-in mailbox, in the shapes Graph documents: `POST /me/events` (201; a transactionId seen
// before answers the event it made), `PATCH /me/events/{id}` (200), `DELETE /me/events/{id}` (204),
// and `GET /me/calendarView?startDateTime&endDateTime` (events overlapping the window, pages of
// `Prefer: odata.maxpagesize`, times in UTC as `Prefer: outlook.timezone="UTC"` asks).
import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { graphError, type Answer } from './fake-microsoft-mail.ts';

export interface FakeEvent {
  id: string;
  subject: string;
  body?: { contentType: string; content: string };
  start: { dateTime: string; timeZone: string };
  end: { dateTime: string; timeZone: string };
  location?: { displayName: string };
  showAs: string;
  isCancelled: boolean;
  transactionId?: string;
}

const utc = (iso: string) => ({ dateTime: `${iso.slice(0, 19)}.0000000`, timeZone: 'UTC' });
const instant = (time: { dateTime: string }) => Date.parse(`${time.dateTime.slice(0, 19)}Z`);

/** An event as the fake keeps it: Graph's shape, times in UTC. */
export function newEvent(input: { subject: string; start: string; end: string; showAs?: string }): FakeEvent {
  return {
    id: `AAMkEv${randomBytes(24).toString('base64url')}=`,
    subject: input.subject,
    start: utc(input.start),
    end: utc(input.end),
    showAs: input.showAs ?? 'busy',
    isCancelled: false,
  };
}

export function graphCalendarRoutes(origin: () => string, answer: Answer) {
  return function calendarRoute(
    response: ServerResponse,
    events: Map<string, FakeEvent>,
    method: string,
    route: string,
    query: Record<string, string>,
    prefer: string,
    body: any,
  ): boolean {
    const time = (value: any) => (value?.dateTime ? utc(`${value.dateTime.slice(0, 19)}Z`) : undefined);
    if (method === 'POST' && route === '/me/events') {
      const seen = [...events.values()].find(
        (event) => body?.transactionId && event.transactionId === body.transactionId,
      );
      if (seen) return (answer(response, 201, seen), true);
      if (!body?.subject || !time(body.start) || !time(body.end))
        return (answer(response, 400, graphError('ErrorInvalidRequest', 'subject, start and end are required')), true);
      const event: FakeEvent = {
        ...newEvent({ subject: body.subject, start: `${body.start.dateTime}Z`, end: `${body.end.dateTime}Z` }),
        ...body,
        start: time(body.start)!,
        end: time(body.end)!,
        isCancelled: false,
      };
      events.set(event.id, event);
      return (answer(response, 201, event), true);
    }
    const item = /^\/me\/events\/([^/]+)$/.exec(route);
    if (item) {
      const event = events.get(decodeURIComponent(item[1]));
      if (!event)
        return (
          answer(response, 404, graphError('ErrorItemNotFound', 'The specified object was not found in the store.')),
          true
        );
      if (method === 'DELETE') return (events.delete(event.id), answer(response, 204, undefined), true);
      if (method === 'PATCH') {
        Object.assign(event, body, { start: time(body?.start) ?? event.start, end: time(body?.end) ?? event.end });
        return (answer(response, 200, event), true);
      }
    }
    if (method === 'GET' && route === '/me/calendarView') {
      const [from, to] = [Date.parse(query.startDateTime ?? ''), Date.parse(query.endDateTime ?? '')];
      if (Number.isNaN(from) || Number.isNaN(to))
        return (
          answer(response, 400, graphError('ErrorInvalidParameter', 'startDateTime and endDateTime are required')),
          true
        );
      if (!/outlook\.timezone="UTC"/.test(prefer))
        return (answer(response, 501, graphError('NotImplemented', 'The fake answers in UTC only')), true);
      const size = Number(/odata\.maxpagesize=(\d+)/.exec(prefer)?.[1] ?? 10);
      const skip = Number(query.$skip ?? 0);
      const overlapping = [...events.values()]
        .filter((event) => instant(event.start) < to && instant(event.end) > from)
        .sort((a, b) => instant(a.start) - instant(b.start));
      const page = overlapping.slice(skip, skip + size);
      const next = new URL(`${origin()}/v1.0/me/calendarView`);
      next.search = new URLSearchParams({ ...query, $skip: String(skip + size) }).toString();
      return (
        answer(response, 200, {
          '@odata.context': `${origin()}/v1.0/$metadata#Collection(event)`,
          value: page,
          ...(skip + size < overlapping.length ? { '@odata.nextLink': next.toString() } : {}),
        }),
        true
      );
    }
    return false;
  };
}
