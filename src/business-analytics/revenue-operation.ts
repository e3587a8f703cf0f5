// GET /v1/analytics/revenue: money invoiced, collected and refunded in the period, per
// currency, by period bucket, top customers and technician; what is still owed now, aged.
import { z } from 'zod';
import type { Row } from '../db/database.ts';
import { analyticsOperation } from './analytics-operation.ts';
import { bucketOf, bucketsOf, inPeriod, num, TODAY } from './analytics-sql.ts';
import type { Window, WindowQuery } from './analytics-window.ts';
import { currencyField, mergeByCurrency, perCurrency } from './money.ts';
import { outstandingSql } from './outstanding.ts';

interface RevenueQuery extends WindowQuery {
  top: number;
}

const AGING = ['current', 'days_1_30', 'days_31_60', 'days_61_90', 'days_over_90'] as const;
const SENT = `account_id = $1 AND status <> 'void' AND ${inPeriod('sent_at')}`;

const snapshotSchema = {
  outstanding: perCurrency(
    { amount: 'Owed on open and overdue invoices now.', invoices: 'How many invoices.' },
    'What customers owe now, per currency.',
  ),
  aging: perCurrency(
    {
      current: 'Not yet due (or no due date).',
      days_1_30: '1 to 30 days past the due date.',
      days_31_60: '31 to 60 days.',
      days_61_90: '61 to 90 days.',
      days_over_90: 'More than 90 days.',
    },
    "What is owed now, by days past the due date (the account's today).",
  ),
};

const snapshot = {
  sqls: () => [
    outstandingSql,
    `SELECT currency,
       sum(amount_due) FILTER (WHERE due_date IS NULL OR due_date >= ${TODAY}) AS current,
       sum(amount_due) FILTER (WHERE ${TODAY} - due_date BETWEEN 1 AND 30) AS days_1_30,
       sum(amount_due) FILTER (WHERE ${TODAY} - due_date BETWEEN 31 AND 60) AS days_31_60,
       sum(amount_due) FILTER (WHERE ${TODAY} - due_date BETWEEN 61 AND 90) AS days_61_90,
       sum(amount_due) FILTER (WHERE ${TODAY} - due_date > 90) AS days_over_90
       FROM invoices WHERE account_id = $1 AND status IN ('open', 'overdue') AND amount_due > 0
      GROUP BY currency`,
  ],
  assemble: ([outstanding, aging]: Row[][]) => ({
    outstanding: mergeByCurrency(['amount', 'invoices'], outstanding),
    aging: mergeByCurrency(AGING, aging),
  }),
};

const totals = {
  invoiced: 'Total of invoices sent in the period (void ones left out).',
  invoices: 'How many.',
  average_invoice: 'invoiced / invoices, rounded to the minor unit.',
  collected: 'Payments received in the period.',
  refunded: 'Payments refunded in the period.',
  net_collected: 'collected - refunded.',
};

const periodSchema = {
  totals: perCurrency(totals, 'Per currency.'),
  series: z.array(
    z.object({
      bucket: z.string().describe('First day of the bucket.'),
      currencies: perCurrency(
        { invoiced: totals.invoiced, collected: totals.collected, refunded: totals.refunded },
        'Per currency seen in the bucket.',
      ),
    }),
  ),
  by_customer: z
    .array(
      z.object({
        currency: currencyField,
        customer_id: z.string(),
        name: z.string().nullable(),
        invoiced: z.int(),
        invoices: z.int(),
        amount_paid: z.int().describe('Paid so far on those invoices.'),
      }),
    )
    .describe('The `top` customers by money invoiced in the period, per currency.'),
  by_technician: z
    .array(
      z.object({
        currency: currencyField,
        technician_id: z.string().nullable().describe("The invoice's job's technician; null: no job or unassigned."),
        name: z.string().nullable(),
        invoiced: z.int(),
        invoices: z.int(),
      }),
    )
    .describe('Money invoiced in the period by the technician of the invoiced job.'),
};

const period = {
  sqls: (query: RevenueQuery) => [
    `SELECT currency, sum(total) AS invoiced, count(*) AS invoices FROM invoices WHERE ${SENT} GROUP BY currency`,
    `SELECT currency, sum(amount) AS collected FROM payments
      WHERE account_id = $1 AND ${inPeriod('created_at')} GROUP BY currency`,
    `SELECT currency, sum(amount_refunded) AS refunded FROM payments
      WHERE account_id = $1 AND ${inPeriod('refunded_at')} GROUP BY currency`,
    `SELECT ${bucketOf('sent_at')} AS bucket, currency, sum(total) AS invoiced FROM invoices WHERE ${SENT}
      GROUP BY 1, 2`,
    `SELECT ${bucketOf('created_at')} AS bucket, currency, sum(amount) AS collected FROM payments
      WHERE account_id = $1 AND ${inPeriod('created_at')} GROUP BY 1, 2`,
    `SELECT ${bucketOf('refunded_at')} AS bucket, currency, sum(amount_refunded) AS refunded FROM payments
      WHERE account_id = $1 AND ${inPeriod('refunded_at')} GROUP BY 1, 2`,
    `SELECT r.*, c.name FROM (
       SELECT currency, customer_id, sum(total) AS invoiced, count(*) AS invoices, sum(amount_paid) AS amount_paid,
              row_number() OVER (PARTITION BY currency ORDER BY sum(total) DESC, customer_id) AS rank
         FROM invoices WHERE ${SENT} GROUP BY currency, customer_id
     ) r LEFT JOIN customers c ON c.account_id = $1 AND c.id = r.customer_id
     WHERE r.rank <= ${query.top} ORDER BY r.currency, r.rank`,
    `SELECT i.currency, j.technician_id, u.name, sum(i.total) AS invoiced, count(*) AS invoices
       FROM invoices i
       LEFT JOIN jobs j ON j.account_id = $1 AND j.id = i.job_id
       LEFT JOIN users u ON u.account_id = $1 AND u.id = j.technician_id
      WHERE i.account_id = $1 AND i.status <> 'void' AND ${inPeriod('i.sent_at')}
      GROUP BY i.currency, j.technician_id, u.name ORDER BY i.currency, sum(i.total) DESC, j.technician_id`,
  ],
  assemble: (
    [invoiced, collected, refunded, invoicedSeries, collectedSeries, refundedSeries, customers, technicians]: Row[][],
    window: Window,
  ) => {
    const merged = mergeByCurrency(['invoiced', 'invoices', 'collected', 'refunded'], invoiced, collected, refunded);
    const inBucket = (rows: Row[], bucket: string) => rows.filter((row) => row.bucket === bucket);
    return {
      totals: merged.map((entry) => ({
        ...entry,
        average_invoice: entry.invoices ? Math.round(entry.invoiced / entry.invoices) : 0,
        net_collected: entry.collected - entry.refunded,
      })),
      series: bucketsOf(window).map((bucket) => ({
        bucket,
        currencies: mergeByCurrency(
          ['invoiced', 'collected', 'refunded'],
          inBucket(invoicedSeries, bucket),
          inBucket(collectedSeries, bucket),
          inBucket(refundedSeries, bucket),
        ),
      })),
      by_customer: customers.map((row) => ({
        currency: row.currency,
        customer_id: row.customer_id,
        name: row.name ?? null,
        invoiced: num(row.invoiced),
        invoices: num(row.invoices),
        amount_paid: num(row.amount_paid),
      })),
      by_technician: technicians.map((row) => ({
        currency: row.currency,
        technician_id: row.technician_id ?? null,
        name: row.name ?? null,
        invoiced: num(row.invoiced),
        invoices: num(row.invoices),
      })),
    };
  },
};

export const revenueAnalyticsOperation = analyticsOperation<
  RevenueQuery,
  ReturnType<typeof period.assemble>,
  ReturnType<typeof snapshot.assemble>
>({
  path: '/v1/analytics/revenue',
  operationId: 'getRevenueAnalytics',
  tag: 'Business analytics',
  object: 'revenue_analytics',
  summary: 'Revenue analytics',
  description:
    'Money invoiced (invoices sent in the period, void ones left out), collected (payments received) and refunded, ' +
    'per currency in minor units, never added across currencies; by period bucket, top customers and technician; ' +
    'and what is owed now, aged by days past the due date.',
  extraQuery: {
    top: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe('How many customers `by_customer` lists per currency.'),
  },
  snapshot,
  snapshotSchema,
  period,
  periodSchema,
});
