// Payments: money received, optionally against an invoice (which it may mark paid).
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { loadReferencedOrThrow } from '../platform/operations/load-row.ts';
import type { OperationContext } from '../platform/contract.ts';

/** The invoice a payment names, locked until commit (or a 422 at `invoice_id`). */
const lockInvoice = (ctx: OperationContext, id: string) =>
  loadReferencedOrThrow(ctx, ctx.registry.get('invoices'), id, 'invoice_id', { lock: true });

export const payments = defineResource({
  name: 'payment',
  collection: 'payments',
  idPrefix: 'pay',
  // Money: office staff bill; dispatchers read it.
  roles: { dispatcher: 'read' },
  description: "Money received from a customer, in the currency's minor unit.",
  operations: ['list', 'get', 'create', 'export'],
  limitedBecause:
    'A payment is money received: it is refunded (the `refund` action), never edited or deleted, ' +
    'and recorded one at a time.',
  fields: {
    amount: field.money({ min: 1 }).required().filterable().sortable(),
    currency: field.currency().default('USD').filterable(),
    method: field.enum(['card', 'cash', 'check', 'bank_transfer', 'other']).required().filterable(),
    invoice_id: field.ref('invoices').createOnly().filterable().expand('invoice'),
    customer_id: field
      .ref('customers')
      .createOnly()
      .filterable()
      .expand('customer')
      .describe('Taken from the invoice when one is given.'),
    reference: field
      .text({ max: 200 })
      .filterable(['eq', 'in'])
      .describe('Cheque number, transfer reference or processor id (a Stripe PaymentIntent id).'),
    status: field.enum(['succeeded', 'refunded']).default('succeeded').readOnly().filterable(),
    amount_refunded: field.money().default(0).readOnly(),
    refunded_at: field.datetime().readOnly(),
    refund_reason: field.text({ max: 1000 }).readOnly(),
  },
  lifecycle: { field: 'status' },
  hooks: {
    beforeCreate: async ({ row, ctx }) => {
      if (!row.invoice_id) return;
      const invoice = await lockInvoice(ctx, row.invoice_id);
      if (invoice.status !== 'open' && invoice.status !== 'overdue') {
        throw new ApiError(
          'conflict',
          `Invoice ${invoice.id} is ${invoice.status}; payments are recorded against open or overdue invoices`,
        );
      }
      if (row.currency !== invoice.currency)
        throw validationFailed([
          { path: 'currency', message: `must match the invoice's currency (${invoice.currency})` },
        ]);
      if (row.amount > invoice.amount_due)
        throw validationFailed([{ path: 'amount', message: `exceeds the amount due (${invoice.amount_due})` }]);
      if (row.customer_id && row.customer_id !== invoice.customer_id)
        throw validationFailed([{ path: 'customer_id', message: "does not match the invoice's customer" }]);
      row.customer_id = invoice.customer_id;
    },
    afterCreate: async ({ row, ctx }) => {
      if (!row.invoice_id) return;
      const invoice = await lockInvoice(ctx, row.invoice_id);
      const amountPaid = invoice.amount_paid + row.amount;
      if (amountPaid >= invoice.total)
        await ctx.runAction('invoices', invoice.id, 'mark-paid', { amount_paid: amountPaid });
      else await ctx.update('invoices', invoice.id, { amount_paid: amountPaid });
    },
  },
  actions: {
    refund: {
      summary: 'Refund the payment in full',
      description:
        'Marks the payment refunded, and takes it off the invoice it paid: `amount_paid` and `amount_due` ' +
        'follow, and ' +
        'a paid invoice that is owed again reopens (`invoice.reopened`). A fully refunded invoice can be voided.',
      from: ['succeeded'],
      to: 'refunded',
      event: 'refunded',
      input: z.strictObject({ reason: z.string().max(1000).optional() }),
      apply: async ({ row, input, ctx }) => {
        if (row.invoice_id) {
          const invoice = await lockInvoice(ctx, row.invoice_id);
          const amountPaid = Math.max(invoice.amount_paid - row.amount, 0);
          if (invoice.status === 'paid' && amountPaid < invoice.total)
            await ctx.runAction('invoices', invoice.id, 'reopen', { amount_paid: amountPaid });
          else await ctx.update('invoices', invoice.id, { amount_paid: amountPaid });
        }
        return { amount_refunded: row.amount, refunded_at: ctx.now, refund_reason: input.reason ?? null };
      },
    },
  },
});
