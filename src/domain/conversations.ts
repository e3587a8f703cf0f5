// Conversations: one thread with a customer on one channel (SMS, email, voice, chat), open
// until closed. Its messages and internal notes are listed under it.
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { CHANNELS } from '../messaging/channel-adapters.ts';

export const conversations = defineResource({
  name: 'conversation',
  collection: 'conversations',
  idPrefix: 'cnv',
  description:
    'A thread with a customer on one channel. Messages: `/v1/conversations/{id}/messages`; internal notes: `/notes`.',
  fields: {
    channel: field.enum(CHANNELS).required().createOnly().filterable(),
    subject: field.text({ max: 200 }).searchable().example('Quote follow-up'),
    status: field
      .enum(['open', 'closed'])
      .default('open')
      .readOnly()
      .filterable()
      .describe('Changes through close and reopen; an inbound message reopens it.'),
    customer_id: field.ref('customers').filterable().expand('customer'),
    contact_id: field.ref('contacts').filterable().expand('contact'),
    assignee_id: field.ref('users').filterable().expand('assignee').describe('The team member handling it.'),
    participant_address: field
      .text({ max: 320 })
      .filterable(['eq'])
      .describe("The customer's email address or phone number on this channel; default for sending: the contact's."),
    last_message_at: field.datetime().readOnly().filterable().sortable(),
    closed_at: field.datetime().readOnly(),
  },
  lifecycle: { field: 'status', updatableIn: ['open'] },
  actions: {
    close: {
      summary: 'Close the conversation',
      from: ['open'],
      to: 'closed',
      event: 'closed',
      apply: ({ ctx }) => ({ closed_at: ctx.now }),
    },
    reopen: {
      summary: 'Reopen a closed conversation',
      from: ['closed'],
      to: 'open',
      event: 'reopened',
      apply: () => ({ closed_at: null }),
    },
  },
});
