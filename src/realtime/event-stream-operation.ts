// GET /v1/events/stream: the account's events as Server-Sent Events. `id:` is the event id, so
// a client that reconnects with Last-Event-ID receives exactly what it missed (events are
// read in commit-safe order from the events table). Comments keep idle connections open.
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError, badRequest } from '../platform/errors.ts';
import { MAX_STREAMS_PER_ACCOUNT, type EventStreamHub } from './event-stream-hub.ts';
import type { Registry } from '../platform/contract.ts';
import { serviceKey } from '../platform/api/service-key.ts';

/** Follows the events table for this node's open streams. */
export const eventStreams = serviceKey<EventStreamHub>('the event stream hub');

const HEARTBEAT_MS = 15_000;
const encoder = new TextEncoder();

export function eventStreamOperation(registry: Registry) {
  const known = new Set(registry.eventTypes().map((e) => e.type));
  return defineOperation({
    method: 'get',
    path: '/v1/events/stream',
    operationId: 'streamEvents',
    tag: 'Event',
    scope: 'read:events',
    bucket: 'read',
    summary: 'Stream events as they happen (Server-Sent Events)',
    description:
      "A `text/event-stream` of the account's events: `id` is the event id, `event` its type, " +
      '`data` the event object as `GET /v1/events/{id}` returns it. ' +
      'Send `Last-Event-ID` (browsers do on reconnect) to receive every event after that one; ' +
      'without it the stream starts now. ' +
      `An account may hold ${MAX_STREAMS_PER_ACCOUNT} open streams per server; more answer \`429\`.`,
    query: z.strictObject({
      types: z.string().max(2000).optional().describe('Comma-separated event types to receive (default: all).'),
    }),
    response: z.string().describe('Frames of `id:`, `event:` and `data:` lines; `:` lines are keep-alive comments.'),
    responseMediaType: 'text/event-stream',
    async handle({ runtime, principal, query, headers }) {
      const hub = runtime.use(eventStreams);
      const types = query?.types
        ? new Set(
            query.types
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          )
        : null;
      const unknown = types && [...types].find((t) => !known.has(t));
      if (unknown)
        throw badRequest(`types: '${unknown}' is not an event type`, [
          { path: 'types', message: `'${unknown}' is not an event type` },
        ]);
      const lastEventId = headers.get('last-event-id');
      const cursor = lastEventId
        ? await hub.cursorOf(principal.accountId, lastEventId)
        : await hub.currentCursor(principal.accountId);
      if (!cursor)
        throw badRequest(`Last-Event-ID: no event '${lastEventId}' in this account`, [
          { path: 'Last-Event-ID', message: 'unknown event' },
        ]);
      const release = hub.admit(principal.accountId);
      if (!release) {
        throw new ApiError(
          'rate_limited',
          `This account already has ${MAX_STREAMS_PER_ACCOUNT} open event streams on this server; close one first.`,
          { headers: { 'Retry-After': '30' } },
        );
      }

      let cancelled = false;
      let stop = () => {
        cancelled = true;
        release();
      };
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          const write = (text: string) => {
            try {
              controller.enqueue(encoder.encode(text));
            } catch {
              stop();
            }
          };
          write(': connected\n\n');
          const unsubscribe = await hub.subscribe(
            principal.accountId,
            cursor,
            types,
            (row) => {
              const event = {
                id: row.id,
                object: 'event',
                type: row.type,
                data: row.data,
                request_id: row.request_id,
                created_at: row.created_at,
              };
              write(`id: ${row.id}\nevent: ${row.type}\ndata: ${JSON.stringify(event)}\n\n`);
            },
            () => {
              stop();
              try {
                controller.close();
              } catch {
                /* already closed */
              }
            },
          );
          const heartbeat = setInterval(() => write(': ping\n\n'), HEARTBEAT_MS);
          heartbeat.unref();
          stop = () => {
            clearInterval(heartbeat);
            unsubscribe();
            release();
          };
          if (cancelled) stop(); // the client left while we subscribed
        },
        cancel() {
          stop();
        },
      });
      return {
        status: 200,
        stream,
        contentType: 'text/event-stream; charset=utf-8',
        headers: { 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' },
      };
    },
  });
}
