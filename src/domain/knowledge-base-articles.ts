// The knowledge base: articles the team (and the customer portal) can search. Drafts become
// visible to customers only when published; `q` searches title and body.
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';

export const knowledgeBaseArticles = defineResource({
  name: 'knowledge_base_article',
  collection: 'knowledge-base-articles',
  idPrefix: 'kba',
  // What a technician works with in the field.
  roles: { technician: 'read' },
  description: 'A help article. Search with `?q=`; customers should see only `status=published`.',
  searchTitle: ['title'],
  softDelete: true,
  fields: {
    title: field.text({ min: 1, max: 200 }).required().searchable().sortable().example('Resetting a tripped furnace'),
    body: field
      .text({ min: 1, max: 100_000 })
      .required()
      .searchable()
      .describe('Markdown.')
      .example('1. Switch the furnace off at the service switch.'),
    category: field.text({ max: 100 }).filterable().sortable().example('Heating'),
    tags: field.tags().filterable(),
    author_id: field.ref('users').filterable(),
    status: field
      .enum(['draft', 'published', 'archived'])
      .default('draft')
      .readOnly()
      .filterable()
      .describe('Changes only through publish, unpublish and archive.'),
    published_at: field.datetime().readOnly().filterable().sortable(),
  },
  lifecycle: { field: 'status' },
  actions: {
    publish: {
      summary: 'Publish the article',
      from: ['draft', 'archived'],
      to: 'published',
      event: 'published',
      apply: ({ ctx }) => ({ published_at: ctx.now }),
    },
    unpublish: {
      summary: 'Take the article back to draft',
      from: ['published'],
      to: 'draft',
      event: 'unpublished',
      apply: () => ({ published_at: null }),
    },
    archive: {
      summary: 'Archive the article',
      from: ['draft', 'published'],
      to: 'archived',
      event: 'archived',
      apply: () => ({ published_at: null }),
    },
  },
});
