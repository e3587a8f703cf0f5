// Contact tags: the account's own labels for contacts (`vip`, `property manager`). A contact
// holds the ids of its tags; deleting a tag takes it off every contact that had it.
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { untagEveryContact } from './contact-tagging.ts';

export const contactTags = defineResource({
  name: 'contact_tag',
  collection: 'contact-tags',
  idPrefix: 'tag',
  description:
    'A label that contacts can carry. Contacts list theirs in `tag_ids`; filter with `GET /v1/contacts?tag_ids={id}`.',
  fields: {
    name: field.text({ min: 1, max: 64 }).required().unique().filterable().sortable().searchable().example('vip'),
    color: field.color().describe('A hex colour for the label.'),
    description: field.text({ max: 500 }),
  },
  hooks: {
    afterDelete: async ({ row, ctx }) => untagEveryContact(ctx, row.id),
  },
});
