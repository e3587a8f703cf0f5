// Review requests: after a completed job, ask the customer for a review. Creating one mails
// the review link (through the mail outbox, in the same transaction); the review platform or
// the business's own link tracker reports the click and the review through the actions.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { selectRow } from '../platform/operations/row-statements.ts';
import { loadReferencedOrThrow } from '../platform/operations/load-row.ts';
import { queueMailDelivery } from '../delivery/delivery-log.ts';
import { jobs } from './jobs.ts';
import { customers } from './customers.ts';

export const reviewRequests = defineResource({
  name: 'review_request',
  collection: 'review-requests',
  idPrefix: 'rvw',
  description: 'A request for a review after a completed job, mailed to the customer when created.',
  // Once mailed it cannot be edited; what happens next is recorded by the actions.
  operations: ['list', 'get', 'create', 'delete', 'bulk', 'export'],
  limitedBecause:
    'A review request is a mail already sent: ' +
    'the review platform reports progress through its actions, not by editing it.',
  fields: {
    job_id: field.ref('jobs').required().createOnly().filterable().expand('job').describe('A completed job.'),
    customer_id: field.ref('customers').readOnly().filterable().expand('customer').describe("The job's customer."),
    email: field.email().createOnly().describe("Where the request goes; default: the customer's email."),
    review_url: field
      .url()
      .required()
      .createOnly()
      .describe('Where the customer leaves the review (a Google or Yelp page).'),
    message: field.text({ max: 2000 }).createOnly().describe('Your words above the link; default: a short thank-you.'),
    status: field.enum(['sent', 'clicked', 'reviewed']).default('sent').readOnly().filterable(),
    clicked_at: field.datetime().readOnly(),
    reviewed_at: field.datetime().readOnly().filterable().sortable(),
    rating: field.integer({ min: 1, max: 5 }).readOnly().filterable().sortable(),
    comment: field.text({ max: 5000 }).readOnly(),
  },
  lifecycle: { field: 'status' },
  hooks: {
    beforeCreate: async ({ row, ctx }) => {
      const job = await loadReferencedOrThrow(ctx, jobs, row.job_id, 'job_id');
      if (job.status !== 'completed')
        throw new ApiError('conflict', `Job ${job.id} is ${job.status}; ask for a review once it is completed`);
      const [customer] = await ctx.tx.query(selectRow(customers, ctx.tx.accountId, job.customer_id));
      row.customer_id = job.customer_id;
      row.email ??= customer?.email ?? null;
      if (!row.email)
        throw validationFailed([{ path: 'email', message: 'The customer has no email address; give one' }]);
    },
    afterCreate: async ({ row, ctx }) => {
      if (!row.email) return; // beforeCreate refused a request without one
      const greeting = row.message ?? 'Thank you for choosing us. Would you tell others how the visit went?';
      queueMailDelivery(
        ctx.tx,
        { to: [row.email], subject: 'How did we do?', text: `${greeting}\n\n${row.review_url}\n` },
        ctx.now,
        { collection: 'review-requests', id: row.id },
      );
    },
  },
  actions: {
    'mark-clicked': {
      summary: 'Record that the customer opened the review link',
      from: ['sent'],
      to: 'clicked',
      event: 'clicked',
      apply: ({ ctx }) => ({ clicked_at: ctx.now }),
    },
    'mark-reviewed': {
      summary: 'Record the review the customer left',
      from: ['sent', 'clicked'],
      to: 'reviewed',
      event: 'reviewed',
      input: z.strictObject({ rating: z.int().min(1).max(5), comment: z.string().trim().max(5000).optional() }),
      apply: ({ input, ctx }) => ({ reviewed_at: ctx.now, rating: input.rating, comment: input.comment ?? null }),
    },
  },
});
