// Deliveries: the log of every email, SMS and push an account sends to a person, one row per
// message and recipient, kept in step by the channel's relay (src/delivery/delivery-log.ts).
// Read-only: a delivery is what happened, written by the platform, never by a client.
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';

export const DELIVERY_CHANNELS = ['email', 'sms', 'push'] as const;
export const DELIVERY_STATES = [
  'queued',
  'sent',
  'delivered',
  'failed',
  'undelivered',
  'not_configured',
  'simulated',
] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const deliveries = defineResource({
  name: 'delivery',
  collection: 'deliveries',
  idPrefix: 'dlv',
  description:
    'One outbound email, SMS or push to one recipient, and what became of it. Written by the platform as the ' +
    'message is queued and as its provider answers; a delivery that fails for good emits `delivery.failed`.',
  operations: ['list', 'get', 'export'],
  limitedBecause: 'A delivery is a record of what the platform sent: it is written by the channel, never by a client.',
  // Rows change as providers answer; the one change worth an event is a failure (delivery.failed).
  emitsEvents: false,
  roles: { dispatcher: 'read', office: 'read', read_only: 'read' },
  fields: {
    channel: field.enum(DELIVERY_CHANNELS).required().filterable(),
    recipient: field
      .text({ max: 320 })
      .required()
      .filterable(['eq', 'in', 'contains'])
      .describe('An email address, an E.164 phone number or a push subscription endpoint.'),
    subject: field.text({ max: 300 }).searchable().describe('The email subject, or what the SMS or push was.'),
    status: field
      .enum(DELIVERY_STATES)
      .default('queued')
      .filterable()
      .describe(
        '`queued`: waiting for the channel; `sent`: the provider accepted it; `delivered` / `undelivered`: the ' +
          "provider's final word (SMS); `failed`: given up after retries, or refused; `not_configured`: the " +
          'channel has no provider on this server, so it waits, unsent; `simulated`: test mode (a sandbox ' +
          'account), recorded as sent and handed to no provider.',
      ),
    attempts: field.integer({ min: 0 }).default(0),
    provider_id: field.text({ max: 200 }).filterable(['eq']).describe("The provider's id for the message."),
    error: field.text({ max: 1000 }).describe('Why the last attempt failed.'),
    resource_type: field
      .text({ max: 64 })
      .filterable(['eq', 'in'])
      .describe('The collection of the object the message was about (`invoices`), if any.'),
    resource_id: field.text({ max: 64 }).filterable(['eq', 'in']).describe('That object’s id.'),
    sent_at: field.datetime().filterable().sortable(),
    delivered_at: field.datetime(),
    failed_at: field.datetime().filterable(),
  },
});
