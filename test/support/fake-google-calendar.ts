// The Google Calendar API v3 part of the fake Google (test/support/fake-google.ts mounts it at
// /calendar/v3/ on the same server, behind the same tokens): the signed-in account's `primary`
// calendar, as Google documents it: calendars.get, events.insert (a client-chosen id must be
// base32hex, 5-1024 characters, and unused: 409 otherwise, also for a deleted event's id),
// events.patch (a deleted event can be revived with status `confirmed`), events.delete (410 when
// already deleted), events.list (timeMin/timeMax overlap, single events, pageToken pages).
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export interface FakeCalendarEvent {
  id: string;
  status: 'confirmed' | 'cancelled';
  summary?: string;
  description?: string;
  location?: string;
  start: { dateTime: string; timeZone?: string };
  end: { dateTime: string; timeZone?: string };
  transparency?: 'opaque' | 'transparent';
  extendedProperties?: { private?: Record<string, string> };
}

type Send = (res: ServerResponse, status: number, body: unknown) => void;

const EVENT_ID = /^[a-v0-9]{5,1024}$/;

export function googleCalendarRoutes(send: Send) {
  /** Each Google account's primary calendar, by event id. */
  const calendars = new Map<string, Map<string, FakeCalendarEvent>>();
  const calendarOf = (email: string) => calendars.get(email) ?? calendars.set(email, new Map()).get(email)!;
  let pageSize = 250;
  const error = (res: ServerResponse, code: number, message: string, reason: string) =>
    send(res, code, { error: { code, message, errors: [{ domain: 'global', reason, message }] } });

  function write(event: FakeCalendarEvent, body: any) {
    for (const name of ['summary', 'description', 'location', 'transparency', 'status'] as const)
      if (typeof body?.[name] === 'string') (event as any)[name] = body[name];
    for (const name of ['start', 'end'] as const)
      if (body?.[name]) event[name] = { dateTime: new Date(body[name].dateTime).toISOString(), timeZone: 'UTC' };
    if (body?.extendedProperties?.private)
      event.extendedProperties = {
        private: { ...event.extendedProperties?.private, ...body.extendedProperties.private },
      };
  }

  function route(res: ServerResponse, method: string, path: string, query: URLSearchParams, json: any, email: string) {
    const calendar = calendarOf(email);
    const rest = path.replace('/calendar/v3/calendars/primary', '');
    if (rest === '' && method === 'GET')
      return send(res, 200, { kind: 'calendar#calendar', id: email, summary: email });
    if (rest === '/events' && method === 'POST') {
      const id = json?.id ?? randomBytes(10).toString('hex');
      if (!EVENT_ID.test(id)) return error(res, 400, 'Invalid resource id value.', 'invalid');
      if (calendar.has(id)) return error(res, 409, 'The requested identifier already exists.', 'duplicate');
      if (!json?.start?.dateTime || !json?.end?.dateTime) return error(res, 400, 'Missing time', 'required');
      const event = { id, status: 'confirmed' } as FakeCalendarEvent;
      write(event, json);
      calendar.set(id, event);
      return send(res, 200, { kind: 'calendar#event', ...event });
    }
    const one = /^\/events\/([^/]+)$/.exec(rest);
    if (one) {
      const event = calendar.get(decodeURIComponent(one[1]));
      if (!event) return error(res, 404, 'Not Found', 'notFound');
      if (method === 'PATCH') {
        write(event, json);
        return send(res, 200, { kind: 'calendar#event', ...event });
      }
      if (method === 'DELETE') {
        if (event.status === 'cancelled') return error(res, 410, 'Resource has been deleted', 'deleted');
        event.status = 'cancelled';
        res.writeHead(204);
        return res.end();
      }
      if (method === 'GET') return send(res, 200, { kind: 'calendar#event', ...event });
    }
    if (rest === '/events' && method === 'GET') {
      const from = query.get('timeMin') ? Date.parse(query.get('timeMin')!) : -Infinity;
      const to = query.get('timeMax') ? Date.parse(query.get('timeMax')!) : Infinity;
      const all = [...calendar.values()]
        .filter((e) => e.status !== 'cancelled' || query.get('showDeleted') === 'true')
        .filter((e) => Date.parse(e.end.dateTime) > from && Date.parse(e.start.dateTime) < to)
        .sort((a, b) => a.start.dateTime.localeCompare(b.start.dateTime));
      const size = Math.min(Number(query.get('maxResults') ?? 250), pageSize);
      const offset = Number(query.get('pageToken') ?? 0);
      const items = all.slice(offset, offset + size);
      return send(res, 200, {
        kind: 'calendar#events',
        items: items.map((e) => ({ kind: 'calendar#event', ...e })),
        ...(offset + size < all.length ? { nextPageToken: String(offset + size) } : {}),
      });
    }
    return error(res, 404, 'Not Found', 'notFound');
  }

  return {
    route,
    /** The live (not deleted) events of `email`'s primary calendar. */
    events: (email: string) => [...calendarOf(email).values()].filter((e) => e.status === 'confirmed'),
    /** An event the person put in their calendar themselves (busy unless transparent). */
    addEvent(email: string, event: { summary: string; start: string; end: string; transparency?: 'transparent' }) {
      const made: FakeCalendarEvent = {
        id: randomBytes(10).toString('hex'),
        status: 'confirmed',
        summary: event.summary,
        start: { dateTime: event.start, timeZone: 'UTC' },
        end: { dateTime: event.end, timeZone: 'UTC' },
        ...(event.transparency ? { transparency: event.transparency } : {}),
      };
      calendarOf(email).set(made.id, made);
      return made;
    },
    /** Pages of events.list hold at most this many events from now on. */
    setPageSize: (size: number) => (pageSize = size),
  };
}
