// Invoices: draft -> open (send) -> paid (payments cover the total) or void; an open invoice past
// its due date with money owed turns overdue (the delivery module's dunning sweep), and stays payable.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { createInputSchema } from '../platform/resource/schemas.ts';
import { invoiceTotals, pricedLineFields } from './invoice-totals.ts';
import { payments } from './payments.ts';

export const invoices = defineResource({
  name: 'invoice',
  collection: 'invoices',
  idPrefix: 'inv',
  // Money: office staff bill; dispatchers read it.
  roles: { dispatcher: 'read' },
  description: "A bill for work done. Amounts are integers in the currency's minor unit.",
  searchTitle: ['memo'],
  fields: {
    customer_id: field.ref('customers').required().createOnly().filterable().expand('customer'),
    job_id: field.ref('jobs').filterable().expand('job'),
    status: field.enum(['draft', 'open', 'overdue', 'paid', 'void']).default('draft').readOnly().filterable(),
    ...pricedLineFields(),
    amount_paid: field.money().default(0).readOnly(),
    amount_due: field.money().default(0).readOnly().filterable().sortable(),
    due_date: field.date().filterable().sortable(),
    memo: field.text({ max: 2000 }).searchable(),
    sent_at: field.datetime().readOnly().filterable(),
    paid_at: field.datetime().readOnly().filterable(),
    voided_at: field.datetime().readOnly(),
  },
  lifecycle: { field: 'status', updatableIn: ['draft'], deletableIn: ['draft'] },
  hooks: {
    compute: (row) => invoiceTotals(row.line_items, row.tax_rate_bps, row.amount_paid),
  },
  actions: {
    send: {
      summary: 'Finalise the invoice and send it to the customer',
      from: ['draft'],
      to: 'open',
      event: 'sent',
      apply: ({ row, ctx }) => {
        if (row.line_items.length === 0)
          throw validationFailed([
            { path: 'line_items', message: 'An invoice needs at least one line item to be sent' },
          ]);
        return { sent_at: ctx.now };
      },
    },
    void: {
      summary: 'Void an open invoice that will not be paid',
      from: ['open', 'overdue'],
      to: 'void',
      event: 'voided',
      apply: ({ row, ctx }) => {
        if (row.amount_paid > 0)
          throw new ApiError('conflict', 'The invoice has payments; refund them before voiding it');
        return { voided_at: ctx.now };
      },
    },
    payments: {
      summary: 'Record a payment against the invoice',
      operationId: 'recordInvoicePayment',
      respondsWith: 'payments',
      status: 201,
      description:
        'Creates a payment for this invoice (see POST /v1/payments); ' +
        'the invoice becomes paid when its payments cover the total.',
      from: ['open', 'overdue'],
      input: createInputSchema(payments).omit({ invoice_id: true }),
      run: async ({ row, input, ctx }) => {
        const payment = await ctx.create('payments', { ...input, invoice_id: row.id });
        return { data: serialize(payments, payment) };
      },
    },
    'mark-paid': {
      summary: 'Payments now cover the total',
      internal: true,
      from: ['open', 'overdue'],
      to: 'paid',
      event: 'paid',
      input: z.strictObject({ amount_paid: z.int() }),
      apply: ({ input, ctx }) => ({ amount_paid: input.amount_paid, paid_at: ctx.now }),
    },
    'mark-overdue': {
      summary: 'Its due date has passed with money still owed',
      internal: true,
      from: ['open'],
      to: 'overdue',
      event: 'overdue',
    },
    reopen: {
      summary: 'A refund leaves money owed again',
      internal: true,
      from: ['paid'],
      to: 'open',
      event: 'reopened',
      input: z.strictObject({ amount_paid: z.int() }),
      apply: ({ input }) => ({ amount_paid: input.amount_paid, paid_at: null }),
    },
  },
});
