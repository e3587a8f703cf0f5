// Quotes: a firm price offer. Accepted, it becomes a job (convert) and, once the work is done,
// an invoice with the same lines.
import { z } from 'zod';
import { field } from '../platform/resource/fields.ts';
import { ApiError } from '../platform/errors.ts';
import { defineProposal } from './price-proposals.ts';

export const quotes = defineProposal({
  name: 'quote',
  collection: 'quotes',
  idPrefix: 'quo',
  description: "A firm price offer for work. Amounts are integers in the currency's minor unit.",
  fields: {
    invoice_id: field
      .ref('invoices')
      .readOnly()
      .filterable()
      .expand('invoice')
      .describe('The invoice made from it (the invoice action).'),
  },
  actions: {
    convert: {
      summary: 'Turn the accepted quote into a job',
      description:
        "Creates the job (`job.created`) for the quote's customer, " +
        'or takes the job the quote already names, and links it.',
      from: ['accepted'],
      to: 'converted',
      event: 'converted',
      input: z.strictObject({
        title: z.string().trim().min(1).max(200).optional().describe("The job's title; the quote's by default."),
        priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
      }),
      apply: async ({ row, input, ctx }) => {
        if (row.job_id) return {};
        const job = await ctx.create('jobs', {
          title: input.title ?? row.title,
          customer_id: row.customer_id,
          priority: input.priority,
          description: `From quote ${row.id}.`,
        });
        return { job_id: job.id };
      },
    },
    invoice: {
      summary: "Make a draft invoice with the quote's lines",
      description:
        'Once per quote (409 `conflict` if it has an invoice already); the invoice is a draft, to adjust and send.',
      from: ['accepted', 'converted'],
      event: 'invoiced',
      apply: async ({ row, ctx }) => {
        if (row.invoice_id)
          throw new ApiError('conflict', `Quote '${row.id}' was invoiced already: '${row.invoice_id}'`);
        const invoice = await ctx.create('invoices', {
          customer_id: row.customer_id,
          job_id: row.job_id,
          currency: row.currency,
          line_items: row.line_items,
          tax_rate_bps: row.tax_rate_bps,
          memo: `${row.title} (quote ${row.id})`,
        });
        return { invoice_id: invoice.id };
      },
    },
  },
});
