// GET /v1/finance/stats: the finance summary: what was billed (subtotal, tax, total), which
// invoices were paid and the tax they carried, payments by method, and what is owed now.
import { z } from 'zod';
import type { Row } from '../db/database.ts';
import { analyticsOperation } from './analytics-operation.ts';
import { inPeriod, num, TODAY } from './analytics-sql.ts';
import type { WindowQuery } from './analytics-window.ts';
import { currencyField, mergeByCurrency, perCurrency } from './money.ts';
import { outstandingSql } from './outstanding.ts';

const snapshotSchema = {
  outstanding: perCurrency(
    { amount: 'Owed on open and overdue invoices now.', invoices: 'How many.' },
    'What customers owe now.',
  ),
  overdue: perCurrency(
    { amount: 'Owed on invoices past their due date.', invoices: 'How many.' },
    "Owed on invoices whose due date is before the account's today.",
  ),
};

const snapshot = {
  sqls: () => [
    outstandingSql,
    `SELECT currency, sum(amount_due) AS amount, count(*) AS invoices FROM invoices
      WHERE account_id = $1 AND status IN ('open', 'overdue') AND amount_due > 0 AND due_date < ${TODAY}
      GROUP BY currency`,
  ],
  assemble: ([outstanding, overdue]: Row[][]) => ({
    outstanding: mergeByCurrency(['amount', 'invoices'], outstanding),
    overdue: mergeByCurrency(['amount', 'invoices'], overdue),
  }),
};

const periodSchema = {
  totals: perCurrency(
    {
      invoices: 'Invoices sent in the period (void ones left out).',
      subtotal: 'Their amount before tax.',
      tax: 'Tax they charge.',
      total: 'subtotal + tax.',
      paid_invoices: 'Invoices paid in full in the period.',
      paid_total: 'Their total.',
      tax_collected: 'The tax of the invoices paid in full in the period.',
      collected: 'Payments received in the period.',
      refunded: 'Payments refunded in the period.',
      net_collected: 'collected - refunded.',
    },
    'Per currency, in minor units.',
  ),
  payments_by_method: z
    .array(
      z.object({
        currency: currencyField,
        method: z.string(),
        payments: z.int(),
        amount: z.int(),
        refunded: z.int().describe('Refunded so far of these payments.'),
      }),
    )
    .describe('Payments received in the period, by currency and method.'),
};

const period = {
  sqls: () => [
    `SELECT currency, count(*) AS invoices, sum(subtotal) AS subtotal, sum(tax) AS tax, sum(total) AS total
       FROM invoices WHERE account_id = $1 AND status <> 'void' AND ${inPeriod('sent_at')} GROUP BY currency`,
    `SELECT currency, count(*) AS paid_invoices, sum(total) AS paid_total, sum(tax) AS tax_collected
       FROM invoices WHERE account_id = $1 AND status = 'paid' AND ${inPeriod('paid_at')} GROUP BY currency`,
    `SELECT currency, method, count(*) AS payments, sum(amount) AS amount, sum(amount_refunded) AS refunded
       FROM payments WHERE account_id = $1 AND ${inPeriod('created_at')} GROUP BY currency, method
      ORDER BY currency, method`,
    `SELECT currency, sum(amount_refunded) AS refunded FROM payments
      WHERE account_id = $1 AND ${inPeriod('refunded_at')} GROUP BY currency`,
  ],
  assemble: ([invoiced, paid, methods, refunded]: Row[][]) => {
    const collected = [...groupSums(methods)].map(([currency, amount]) => ({ currency, collected: amount }));
    const names = ['invoices', 'subtotal', 'tax', 'total', 'paid_invoices', 'paid_total', 'tax_collected'];
    return {
      totals: mergeByCurrency([...names, 'collected', 'refunded'], invoiced, paid, collected, refunded).map(
        (entry) => ({ ...entry, net_collected: entry.collected - entry.refunded }),
      ),
      payments_by_method: methods.map((row) => ({
        currency: row.currency,
        method: row.method,
        payments: num(row.payments),
        amount: num(row.amount),
        refunded: num(row.refunded),
      })),
    };
  },
};

/** Payments received per currency, from the per-method rows. */
function groupSums(methods: Row[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const row of methods) sums.set(row.currency, (sums.get(row.currency) ?? 0) + num(row.amount));
  return sums;
}

export const financeStatsOperation = analyticsOperation<
  WindowQuery,
  ReturnType<typeof period.assemble>,
  ReturnType<typeof snapshot.assemble>
>({
  path: '/v1/finance/stats',
  operationId: 'getFinanceStats',
  tag: 'Business analytics',
  object: 'finance_stats',
  summary: 'Finance summary',
  description:
    'Invoices sent in the period (subtotal, tax, total), invoices paid in full and the tax they carried, payments ' +
    'received and refunded, payments by method; and what is owed and overdue now. Per currency, in minor units. ' +
    '`interval` has no series here; it only bounds the period.',
  snapshot,
  snapshotSchema,
  period,
  periodSchema,
});
