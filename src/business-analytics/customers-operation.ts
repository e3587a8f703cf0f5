// GET /v1/analytics/customers: who the business works for: new customers, active ones (work
// completed or billed in the period), how many come back, and what a paying customer is worth.
import { z } from 'zod';
import type { Row } from '../db/database.ts';
import { analyticsOperation } from './analytics-operation.ts';
import { bucketOf, bucketsOf, inPeriod, num, PERIOD_END, ratio } from './analytics-sql.ts';
import type { Window, WindowQuery } from './analytics-window.ts';
import { mergeByCurrency, perCurrency } from './money.ts';
import { LIFETIME_VALUE_TABLE } from './lifetime-value-facts.ts';

const periodSchema = {
  new_customers: z.int().describe('Customers created in the period.'),
  active_customers: z.int().describe('Customers with a job completed or an invoice sent (not void) in the period.'),
  repeat_customers: z
    .int()
    .describe('Of the customers with a job completed in the period, those with two or more completed jobs by its end.'),
  repeat_rate: z.number().nullable().describe('repeat_customers / customers with a job completed in the period.'),
  lifetime_value: perCurrency(
    {
      customers: 'Customers who paid anything by the end of the period.',
      total: 'What they paid (refunds taken off).',
      average: 'total / customers, rounded to the minor unit.',
    },
    'Lifetime value per currency: payments from the first up to the end of the period.',
  ),
  series: z.array(z.object({ bucket: z.string(), new_customers: z.int() })),
};

const COMPLETED = `account_id = $1 AND deleted_at IS NULL AND status = 'completed'`;

const period = {
  sqls: () => [
    `SELECT ${bucketOf('created_at')} AS bucket, count(*) AS n FROM customers
      WHERE account_id = $1 AND deleted_at IS NULL AND ${inPeriod('created_at')} GROUP BY 1`,
    `SELECT count(*) AS active FROM (
       SELECT customer_id FROM jobs WHERE ${COMPLETED} AND ${inPeriod('completed_at')}
       UNION
       SELECT customer_id FROM invoices WHERE account_id = $1 AND status <> 'void' AND ${inPeriod('sent_at')}
     ) a`,
    // Two completed jobs by the end: one of its completions in the period has a completion before it
    // (a fact on the job, job-facts.ts), so this is one range of one index with no probe per customer.
    `SELECT count(DISTINCT customer_id) AS served,
            count(DISTINCT customer_id) FILTER (WHERE previous_completed_at IS NOT NULL) AS repeat
       FROM jobs WHERE ${COMPLETED} AND ${inPeriod('completed_at')}`,
    // Each customer's first payment and total (lifetime-value-facts.ts), less what was paid after
    // the period: a row per customer and currency, and the payments since the end (none for a
    // period ending today), where summing every payment of the account took over a second.
    `SELECT t.currency, t.customers, t.total - coalesce(l.later, 0) AS total
       FROM (SELECT currency, count(*) FILTER (WHERE first_paid_at < ${PERIOD_END}) AS customers, sum(total) AS total
               FROM ${LIFETIME_VALUE_TABLE} WHERE account_id = $1 GROUP BY currency) t
       LEFT JOIN (SELECT currency, sum(amount - amount_refunded) AS later FROM payments
                   WHERE account_id = $1 AND customer_id IS NOT NULL AND created_at >= ${PERIOD_END}
                   GROUP BY currency) l ON l.currency = t.currency
      WHERE t.customers > 0`,
  ],
  assemble: ([created, [active], [repeat], value]: Row[][], window: Window) => ({
    new_customers: created.reduce((sum, row) => sum + num(row.n), 0),
    active_customers: num(active.active),
    repeat_customers: num(repeat.repeat),
    repeat_rate: ratio(num(repeat.repeat), num(repeat.served)),
    lifetime_value: mergeByCurrency(['customers', 'total'], value).map((entry) => ({
      ...entry,
      average: entry.customers ? Math.round(entry.total / entry.customers) : 0,
    })),
    series: bucketsOf(window).map((bucket) => ({
      bucket,
      new_customers: num(created.find((row) => row.bucket === bucket)?.n),
    })),
  }),
};

export const customersAnalyticsOperation = analyticsOperation<WindowQuery, ReturnType<typeof period.assemble>>({
  path: '/v1/analytics/customers',
  operationId: 'getCustomersAnalytics',
  tag: 'Business analytics',
  object: 'customer_analytics',
  summary: 'Customer analytics',
  description:
    'New and active customers, the repeat rate and lifetime value per currency (in minor units), with a series of ' +
    "new customers by day, week or month of the account's time zone.",
  period,
  periodSchema,
});
