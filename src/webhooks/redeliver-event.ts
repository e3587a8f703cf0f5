// POST /v1/events/{id}/redeliver: queue an event again, for the endpoints it went to and those
// subscribed to it now, or for one endpoint.
import { z } from 'zod';
import { notFound } from '../platform/errors.ts';
import { webhookService } from './webhook-service.ts';
import type { ActionSpec, ResourceDefinition } from '../platform/contract.ts';

export const redeliverEvent: ActionSpec<{ endpoint?: string }> = {
  summary: 'Deliver the event again',
  description:
    'Queues the event again for every enabled endpoint it was sent to or that subscribes to its type now, ' +
    'or only for `endpoint`. Answers with the endpoints queued.',
  status: 202,
  input: z.strictObject({ endpoint: z.string().min(1).max(64).optional() }),
  answers: z.object({
    object: z.literal('event_redelivery'),
    event: z.string(),
    endpoints: z.array(z.string()).describe('Endpoints the event was queued for.'),
  }),
  run: async ({ row, input, ctx }) => {
    const queued = await ctx.tx.query({
      sql: `WITH targets AS (
              SELECT e.id FROM webhook_endpoints e
               WHERE e.account_id = $1 AND e.status = 'enabled' AND e.deleted_at IS NULL
                 AND CASE WHEN $3::text IS NOT NULL THEN e.id = $3
                          ELSE '*' = ANY (e.enabled_events) OR $4 = ANY (e.enabled_events)
                               OR EXISTS (SELECT 1 FROM webhook_queue q WHERE q.event_id = $2
                                 AND q.endpoint_id = e.id) END)
            INSERT INTO webhook_queue (account_id, event_id, endpoint_id, status, attempts, next_attempt_at,
              created_at, updated_at)
            SELECT $1, $2, id, 'pending', 0, $5, $5, $5 FROM targets
            ON CONFLICT (event_id, endpoint_id) DO UPDATE
              SET status = 'pending', attempts = 0, first_attempt_at = NULL, next_attempt_at = EXCLUDED.next_attempt_at,
                locked_until = NULL, last_error = NULL, updated_at = EXCLUDED.updated_at
            RETURNING endpoint_id`,
      parameters: [ctx.tx.accountId, row.id, input.endpoint ?? null, row.type, ctx.now],
    });
    if (input.endpoint && queued.length === 0) {
      throw notFound('enabled webhook endpoint', input.endpoint);
    }
    const response = {
      data: { object: 'event_redelivery', event: row.id, endpoints: queued.map((q) => q.endpoint_id) },
    };
    const service = webhookService(ctx);
    return {
      ...response,
      afterCommit: async () => {
        service.wake();
        return response;
      },
    };
  },
};

/** The events resource with its redeliver action (the events resource itself knows nothing of webhooks). */
export function withRedeliver(events: ResourceDefinition): ResourceDefinition {
  return { ...events, actions: { ...events.actions, redeliver: redeliverEvent } };
}
