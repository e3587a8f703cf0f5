// Call logs: phone calls with customers, written by people or by a voice-agent provider's
// events (POST /v1/inbound/voice/{token}), which key them by the provider's call id.
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';

export const callLogs = defineResource({
  name: 'call_log',
  collection: 'call-logs',
  idPrefix: 'call',
  description: 'A phone call: who called whom, when, how long, and what was said.',
  fields: {
    customer_id: field.ref('customers').filterable().expand('customer'),
    direction: field.enum(['inbound', 'outbound']).required().filterable(),
    from_number: field.phone().filterable(),
    to_number: field.phone().filterable(),
    status: field.enum(['ringing', 'in_progress', 'completed', 'missed', 'failed']).default('completed').filterable(),
    started_at: field.datetime().filterable().sortable(),
    ended_at: field.datetime().filterable().sortable(),
    duration_seconds: field.integer({ min: 0 }).filterable().sortable(),
    summary: field.text({ max: 5000 }).searchable(),
    // Not searchable: indexing would cost up to 200 KB per call; filter by number or customer instead.
    transcript: field.text({ max: 200_000 }).describe('The call transcript, as the voice provider sent it.'),
    provider_call_id: field
      .text({ max: 200 })
      .filterable()
      .unique()
      .describe("The voice provider's id of the call; unique per account."),
  },
});
