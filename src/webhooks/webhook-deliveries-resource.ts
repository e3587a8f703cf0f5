// The delivery log: one row per attempt to POST an event to an endpoint, written by the
// dispatcher. Also listed under each endpoint and each event.
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';

export const webhookDeliveries = defineResource({
  name: 'webhook_delivery',
  collection: 'webhook-deliveries',
  idPrefix: 'whd',
  description: 'One attempt to deliver an event to a webhook endpoint: when, the answer, how long it took.',
  operations: ['list', 'get'],
  limitedBecause:
    'The delivery log is written by the dispatcher only; redeliver an event or recover an endpoint to send again.',
  emitsEvents: false,
  listedUnder: [
    { collection: 'webhook-endpoints', segment: 'deliveries', field: 'endpoint' },
    { collection: 'events', segment: 'deliveries', field: 'event' },
  ],
  fields: {
    endpoint: field.ref('webhook-endpoints').readOnly().filterable(['eq', 'in']),
    event: field.ref('events').readOnly().filterable(['eq', 'in']),
    event_type: field.text().readOnly().filterable(['eq', 'in', 'starts_with']),
    attempt: field.integer({ min: 1 }).readOnly().describe('1 for the first try of this event at this endpoint.'),
    status: field.enum(['succeeded', 'failed']).readOnly().filterable(),
    http_status: field
      .integer()
      .readOnly()
      .filterable(['eq', 'gte', 'lt', 'in', 'is_null'])
      .describe('Null when no answer came (timeout, refused connection).'),
    duration_ms: field.integer({ min: 0 }).readOnly(),
    response_body: field.text().readOnly().describe('The first 2 KiB of the answer.'),
    error: field.text().readOnly(),
    next_attempt_at: field.datetime().readOnly().describe('When the next try is due; null when this was the last.'),
  },
});
