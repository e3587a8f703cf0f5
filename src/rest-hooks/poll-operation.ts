// GET /v1/hooks/poll/{event_type}: the most recent events of one type, newest first, each exactly
// as a webhook delivers it. Zapier reads it for a trigger's sample data and as the polling
// fallback of a REST-hook trigger (it deduplicates by `id`). Reading an event is reading its
// object: the credential needs the collection's read scope too (readable-event-types.ts).
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError } from '../platform/errors.ts';
import { API_VERSION } from '../platform/openapi/build-openapi.ts';
import { unreadableEventType } from '../platform/events/readable-event-types.ts';
import { tenantRead } from '../platform/operations/tenant-read.ts';
import { EventObject, assertSubscribable } from './rest-hook-shapes.ts';

const PollQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('How many events, at most (1 to 100).'),
});

const RECENT = `SELECT id, type, data, created_at FROM events
   WHERE account_id = $1 AND type = $2 ORDER BY created_at DESC, id DESC LIMIT $3`;

export const pollOperation = defineOperation({
  method: 'get',
  path: '/v1/hooks/poll/{event_type}',
  operationId: 'pollRestHookEvents',
  tag: 'RestHook',
  scope: 'read:events',
  bucket: 'read',
  params: { event_type: { pattern: '^[a-z_]+\\.[a-z_]+$' } },
  summary: 'The latest events of one type (polling trigger)',
  description:
    'Newest first, each in the shape a webhook delivers: for a REST-hook trigger\'s sample ("performList") and ' +
    'for polling. An unknown event type is a 422; an event type whose objects the credential may not read is a ' +
    '403 naming the scope.',
  query: PollQuery,
  response: z.array(EventObject),
  async handle({ runtime, principal, params, query }) {
    const type = params.event_type;
    assertSubscribable(runtime.registry, type, 'event_type');
    const refused = unreadableEventType(runtime.registry, principal, [type]);
    if (refused)
      throw new ApiError('insufficient_scope', `'${type}' events carry objects that need '${refused.scope}'`, {
        required_scope: refused.scope,
      });
    const [rows] = await tenantRead(runtime, principal.accountId, [
      { sql: RECENT, parameters: [principal.accountId, type, query.limit] },
    ]);
    const data = rows.map((row) => ({
      id: row.id,
      object: 'event' as const,
      type: row.type,
      api_version: API_VERSION,
      created_at: row.created_at,
      data: row.data,
    }));
    return { status: 200, body: { data } };
  },
});
