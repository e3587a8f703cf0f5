// Invoice arithmetic in integer minor units: no floats ever touch money.
import { z } from 'zod';
import { field } from '../platform/resource/fields.ts';

export const LINE_ITEM = z.strictObject({
  description: z.string().trim().min(1).max(500),
  quantity: z.int().min(1).max(1_000_000),
  unit_amount: z.int().min(0).max(100_000_000_000).describe('Price of one unit in minor units (cents).'),
});
export type LineItem = z.infer<typeof LINE_ITEM>;

export interface InvoiceTotals {
  subtotal: number;
  tax: number;
  total: number;
  amount_due: number;
}

/** Tax is rounded half away from zero to the minor unit, once, on the subtotal. */
export function invoiceTotals(lineItems: readonly LineItem[], taxRateBps: number, amountPaid: number): InvoiceTotals {
  const subtotal = lineItems.reduce((sum, item) => sum + item.quantity * item.unit_amount, 0);
  const tax = Math.round((subtotal * taxRateBps) / 10_000);
  const total = subtotal + tax;
  return { subtotal, tax, total, amount_due: Math.max(total - amountPaid, 0) };
}

/** The priced-lines fields invoices, estimates and quotes share; the totals follow from the lines. */
export const pricedLineFields = () => ({
  currency: field.currency().default('USD').filterable(),
  line_items: field.json(z.array(LINE_ITEM).max(200)).default([]),
  tax_rate_bps: field.integer({ min: 0, max: 10_000 }).default(0).describe('Tax rate in basis points: 825 = 8.25 %.'),
  subtotal: field.money().default(0).readOnly().filterable().sortable(),
  tax: field.money().default(0).readOnly(),
  total: field.money().default(0).readOnly().filterable().sortable(),
});
