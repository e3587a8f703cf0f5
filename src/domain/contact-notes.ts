// Notes on a contact: what was said, what they prefer. Listed under the contact.
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';

export const contactNotes = defineResource({
  name: 'contact_note',
  collection: 'contact-notes',
  idPrefix: 'cnt',
  description: 'A note about a contact, also listed under `/v1/contacts/{id}/notes`.',
  listedUnder: [{ collection: 'contacts', segment: 'notes', field: 'contact_id' }],
  fields: {
    contact_id: field.ref('contacts').required().createOnly().filterable().expand('contact'),
    body: field
      .text({ min: 1, max: 10_000 })
      .required()
      .searchable()
      .example('Prefers a call before 9am; gate code 4411.'),
    author_id: field.ref('users').createOnly().filterable().describe('The team member who wrote it.'),
    pinned: field.boolean().default(false).filterable().describe('Shown first in the app.'),
  },
});
