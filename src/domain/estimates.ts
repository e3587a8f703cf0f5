// Estimates: a first idea of the price, before the work is fully known. Accepted, it becomes a
// draft quote with the same lines (convert), to firm up and send.
import { field } from '../platform/resource/fields.ts';
import { defineProposal } from './price-proposals.ts';

export const estimates = defineProposal({
  name: 'estimate',
  collection: 'estimates',
  idPrefix: 'est',
  description:
    "A first idea of the price for work, before it is fully known. Amounts are integers in the currency's minor unit.",
  fields: {
    quote_id: field
      .ref('quotes')
      .readOnly()
      .filterable()
      .expand('quote')
      .describe('The quote made from it (the convert action).'),
  },
  actions: {
    convert: {
      summary: 'Turn the accepted estimate into a draft quote with the same lines',
      from: ['accepted'],
      to: 'converted',
      event: 'converted',
      apply: async ({ row, ctx }) => {
        const quote = await ctx.create('quotes', {
          customer_id: row.customer_id,
          job_id: row.job_id,
          title: row.title,
          currency: row.currency,
          line_items: row.line_items,
          tax_rate_bps: row.tax_rate_bps,
          notes: row.notes,
        });
        return { quote_id: quote.id };
      },
    },
  },
});
