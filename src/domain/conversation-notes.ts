// Internal notes on a conversation: what the team says among itself, never sent to the customer.
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';

export const conversationNotes = defineResource({
  name: 'conversation_note',
  collection: 'conversation-notes',
  idPrefix: 'cvn',
  description: 'An internal note on a conversation (never sent), also listed under `/v1/conversations/{id}/notes`.',
  listedUnder: [{ collection: 'conversations', segment: 'notes', field: 'conversation_id' }],
  fields: {
    conversation_id: field.ref('conversations').required().createOnly().filterable().expand('conversation'),
    body: field.text({ min: 1, max: 10_000 }).required().searchable().example('Customer prefers texts after 5pm.'),
    author_id: field.ref('users').createOnly().filterable().describe('The team member who wrote it.'),
  },
});
