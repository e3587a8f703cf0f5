// Contacts: the people the business talks to, on their own or at a customer (a tenant, a
// site manager, whoever pays the bills). Tags are the account's labels (contact-tags); notes
// are listed under each contact.
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { contactTaggingEndpoints, MAX_TAGS_PER_CONTACT } from './contact-tagging.ts';

export const contacts = defineResource({
  name: 'contact',
  collection: 'contacts',
  idPrefix: 'con',
  // What a technician works with in the field.
  roles: { technician: 'read' },
  description: 'A person the business deals with, optionally at a customer.',
  searchTitle: ['first_name', 'last_name'],
  softDelete: true,
  fields: {
    first_name: field.text({ min: 1, max: 100 }).required().filterable().sortable().searchable().example('Grace'),
    last_name: field.text({ max: 100 }).filterable().sortable().searchable().example('Hopper'),
    customer_id: field
      .ref('customers')
      .filterable()
      .expand('customer')
      .describe('The customer this person belongs to, if any.'),
    email: field.email().filterable().searchable(),
    phone: field.phone().filterable().searchable(),
    title: field.text({ max: 200 }).searchable().describe('Job title, e.g. `Facilities manager`.'),
    role: field
      .enum(['primary', 'billing', 'site', 'other'])
      .default('other')
      .filterable()
      .describe('What the business contacts them for.'),
    email_opt_out: field
      .boolean()
      .default(false)
      .filterable()
      .describe('They unsubscribed from marketing mail (the link in campaign mail sets it): campaigns skip them.'),
    sms_opt_out: field
      .boolean()
      .default(false)
      .filterable()
      .describe(
        'They replied STOP to a text (or asked): no text goes to their number until they reply START. ' +
          'Sending one is a 422.',
      ),
    tag_ids: field
      .tags()
      .readOnly()
      .filterable(['eq', 'in', 'nin'])
      .describe(
        `Ids of the contact's tags (at most ${MAX_TAGS_PER_CONTACT}); ` +
          `changed through \`/v1/contacts/{id}/tags\` and \`/v1/contacts/bulk-tag\`.`,
      ),
  },
  endpoints: contactTaggingEndpoints,
});
