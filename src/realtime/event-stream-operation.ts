// GET /v1/events/stream: the account's events as Server-Sent Events. `id:` is the event id, so
// a client that reconnects with Last-Event-ID receives exactly what it missed (events are
// read in commit-safe order from the events table). Comments keep idle connections open.
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError, badRequest } from '../platform/errors.ts';
import { MAX_STREAMS_PER_ACCOUNT, type EventStreamHub } from './event-stream-hub.ts';
import type { Registry } from '../platform/contract.ts';
import type { Principal } from '../platform/operations/principal.ts';
import { readableEventTypes, unreadableEventType } from '../platform/events/readable-event-types.ts';
import { serviceKey } from '../platform/api/service-key.ts';

/** Follows the events table for this node's open streams. */
export const eventStreams = serviceKey<EventStreamHub>('the event stream hub');

const HEARTBEAT_MS = 15_000;
const encoder = new TextEncoder();

/**
 * The types a stream sends: those asked for, or all, of the events the caller may read. Asking
 * for one it may not read is 403, naming the scope (as `GET /v1/events` would hide them).
 */
function readableTypesOf(registry: Registry, principal: Principal, asked: Set<string> | null): Set<string> | null {
  const readable = readableEventTypes(registry, principal);
  if (!readable) return asked;
  if (!asked) return new Set(readable);
  const refused = unreadableEventType(registry, principal, asked);
  if (refused)
    throw new ApiError('insufficient_scope', `'${refused.type}' events need '${refused.scope}'`, {
      required_scope: refused.scope,
    });
  return asked;
}

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
      '`data` the event object as `GET /v1/events/{id}` returns it; only events of collections the ' +
      'credential may read (`read:customers` for `customer.*`). ' +
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
      const asked = query?.types
        ? new Set(
            query.types
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          )
        : null;
      const unknown = asked && [...asked].find((t) => !known.has(t));
      if (unknown)
        throw badRequest(`types: '${unknown}' is not an event type`, [
          { path: 'types', message: `'${unknown}' is not an event type` },
        ]);
      const types = readableTypesOf(registry, principal, asked);
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
                livemode: row.livemode,
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
