// The report types: what each one takes and shows, and the one query it reads. Timestamps are
// turned into the account's local time by PostgreSQL (its time zone data, on every engine);
// money stays integer minor units, beside its currency, and is never summed across currencies.
import { z } from 'zod';
import { dateSchema, field } from '../platform/resource/fields.ts';
import { defineReportType, localMidnight, rangeParams, type QueryContext, type ReportType } from './report-type.ts';

const Currency = (field.currency().spec.schema as z.ZodType<string>)
  .optional()
  .describe('Only amounts in this currency.');
const Id = (prefix: string, what: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9A-Za-z]{1,60}$`), `Expected an id of a ${what} (${prefix}_...)`)
    .optional()
    .describe(`Only this ${what}.`);

/** A timestamp column as `YYYY-MM-DD HH:MM` in the account's time zone ($2 in every query). */
const local = (column: string) => `to_char(${column} AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI')`;
/** `column` within the local days `from`..`to` ($3, $4). */
const inRange = (column: string) =>
  `${column} >= ${localMidnight('$3', '$2')} AND ${column} < ${localMidnight('$4', '$2')} + interval '1 day'`;

type Range = { from: string; to: string };
/** The parameters every ranged query starts with ($1, the account, is bound by the runner): zone, from, to. */
const rangeArgs = (params: Range, context: QueryContext) => [context.timeZone, params.from, params.to];

const jobsCompleted = defineReportType({
  name: 'jobs_completed',
  title: 'Jobs completed',
  description: 'Every job completed within the days, with its customer and technician, in order of completion.',
  params: rangeParams({ technician_id: Id('usr', 'technician') }),
  columns: [
    { key: 'job_id', header: 'Job', kind: 'text', width: 1.6 },
    { key: 'title', header: 'Title', kind: 'text', width: 2 },
    { key: 'customer_name', header: 'Customer', kind: 'text', width: 1.5 },
    { key: 'technician_name', header: 'Technician', kind: 'text', width: 1.2 },
    { key: 'scheduled_start', header: 'Scheduled', kind: 'datetime', width: 1.1 },
    { key: 'completed_at', header: 'Completed', kind: 'datetime', width: 1.1 },
  ],
  query: (params, context) => ({
    sql: `SELECT j.id AS job_id, j.title, c.name AS customer_name, u.name AS technician_name,
                 ${local('j.scheduled_start')} AS scheduled_start, ${local('j.completed_at')} AS completed_at
            FROM jobs j
            LEFT JOIN customers c ON c.account_id = j.account_id AND c.id = j.customer_id
            LEFT JOIN users u ON u.account_id = j.account_id AND u.id = j.technician_id
           WHERE j.account_id = $1 AND j.deleted_at IS NULL AND j.status = 'completed' AND ${inRange('j.completed_at')}
             AND ($5::text IS NULL OR j.technician_id = $5)
           ORDER BY j.completed_at, j.id`,
    parameters: [...rangeArgs(params, context), params.technician_id ?? null],
  }),
});

const revenueByCustomer = defineReportType({
  name: 'revenue_by_customer',
  title: 'Revenue by customer',
  description:
    'Per customer and currency, the invoices issued within the days (sent, or made, when never sent; drafts and ' +
    'void ones left out): how many, their total, what is paid and what is still due.',
  params: rangeParams({ currency: Currency }),
  columns: [
    { key: 'customer_id', header: 'Customer id', kind: 'text', width: 1.6 },
    { key: 'customer_name', header: 'Customer', kind: 'text', width: 2 },
    { key: 'currency', header: 'Currency', kind: 'currency', width: 0.7 },
    { key: 'invoices', header: 'Invoices', kind: 'integer', width: 0.7 },
    { key: 'invoiced', header: 'Invoiced', kind: 'money' },
    { key: 'paid', header: 'Paid', kind: 'money' },
    { key: 'outstanding', header: 'Outstanding', kind: 'money' },
  ],
  query: (params, context) => ({
    sql: `SELECT i.customer_id, c.name AS customer_name, i.currency, count(*) AS invoices,
                 sum(i.total) AS invoiced, sum(i.amount_paid) AS paid, sum(i.amount_due) AS outstanding
            FROM invoices i LEFT JOIN customers c ON c.account_id = i.account_id AND c.id = i.customer_id
           WHERE i.account_id = $1 AND i.status IN ('open', 'overdue', 'paid')
             AND ${inRange('coalesce(i.sent_at, i.created_at)')} AND ($5::text IS NULL OR i.currency = $5)
           GROUP BY i.customer_id, c.name, i.currency
           ORDER BY c.name, i.customer_id, i.currency`,
    parameters: [...rangeArgs(params, context), params.currency ?? null],
  }),
});

const invoiceAging = defineReportType({
  name: 'invoice_aging',
  title: 'Invoice aging',
  description:
    'Every invoice with money still due, by how late it is on a day (default today): `current` (not yet due), ' +
    '`1-30`, `31-60`, `61-90` or `90+` days past its due date.',
  params: z.strictObject({
    as_of: dateSchema()
      .optional()
      .describe('The day lateness is counted at; default today in the account’s time zone.'),
    currency: Currency,
  }),
  columns: [
    { key: 'invoice_id', header: 'Invoice', kind: 'text', width: 1.6 },
    { key: 'customer_name', header: 'Customer', kind: 'text', width: 1.8 },
    { key: 'currency', header: 'Currency', kind: 'currency', width: 0.7 },
    { key: 'due_date', header: 'Due', kind: 'date', width: 0.9 },
    { key: 'days_overdue', header: 'Days late', kind: 'integer', width: 0.7 },
    { key: 'bucket', header: 'Bucket', kind: 'text', width: 0.7 },
    { key: 'amount_due', header: 'Amount due', kind: 'money' },
  ],
  query: (params, context) => ({
    sql: `SELECT i.id AS invoice_id, c.name AS customer_name, i.currency, i.due_date::text AS due_date,
                 greatest(0, coalesce($3::date - i.due_date, 0)) AS days_overdue,
                 CASE WHEN i.due_date IS NULL OR $3::date - i.due_date <= 0 THEN 'current'
                      WHEN $3::date - i.due_date <= 30 THEN '1-30'
                      WHEN $3::date - i.due_date <= 60 THEN '31-60'
                      WHEN $3::date - i.due_date <= 90 THEN '61-90' ELSE '90+' END AS bucket,
                 i.amount_due
            FROM invoices i LEFT JOIN customers c ON c.account_id = i.account_id AND c.id = i.customer_id
           WHERE i.account_id = $1 AND i.status IN ('open', 'overdue') AND i.amount_due > 0
             AND ($4::text IS NULL OR i.currency = $4)
           ORDER BY i.due_date NULLS LAST, i.id`,
    parameters: [context.timeZone, params.as_of ?? context.today, params.currency ?? null],
  }),
});

const technicianTimesheets = defineReportType({
  name: 'technician_timesheets',
  title: 'Technician timesheets',
  description: 'Every closed time entry that started within the days, by technician, with its job and minutes.',
  params: rangeParams({ technician_id: Id('usr', 'technician') }),
  columns: [
    { key: 'technician_name', header: 'Technician', kind: 'text', width: 1.4 },
    { key: 'entry_id', header: 'Entry', kind: 'text', width: 1.6 },
    { key: 'job_title', header: 'Job', kind: 'text', width: 1.8 },
    { key: 'started_at', header: 'Started', kind: 'datetime', width: 1.1 },
    { key: 'ended_at', header: 'Ended', kind: 'datetime', width: 1.1 },
    { key: 'minutes', header: 'Minutes', kind: 'integer', width: 0.7 },
  ],
  query: (params, context) => ({
    sql: `SELECT u.name AS technician_name, t.id AS entry_id, j.title AS job_title,
                 ${local('t.started_at')} AS started_at, ${local('t.ended_at')} AS ended_at,
                 t.duration_minutes AS minutes
            FROM time_entries t
            LEFT JOIN users u ON u.account_id = t.account_id AND u.id = t.technician_id
            LEFT JOIN jobs j ON j.account_id = t.account_id AND j.id = t.job_id
           WHERE t.account_id = $1 AND t.status = 'closed' AND ${inRange('t.started_at')}
             AND ($5::text IS NULL OR t.technician_id = $5)
           ORDER BY u.name, t.technician_id, t.started_at, t.id`,
    parameters: [...rangeArgs(params, context), params.technician_id ?? null],
  }),
});

const inventoryValuation = defineReportType({
  name: 'inventory_valuation',
  title: 'Inventory valuation',
  description: 'Every stocked item with what it is worth now: quantity on hand times unit cost, in its currency.',
  params: z.strictObject({
    currency: Currency,
    include_empty: z.boolean().optional().describe('Also items with nothing on hand (default false).'),
  }),
  columns: [
    { key: 'item_id', header: 'Item', kind: 'text', width: 1.6 },
    { key: 'sku', header: 'SKU', kind: 'text', width: 0.9 },
    { key: 'name', header: 'Name', kind: 'text', width: 2 },
    { key: 'quantity_on_hand', header: 'On hand', kind: 'integer', width: 0.7 },
    { key: 'currency', header: 'Currency', kind: 'currency', width: 0.7 },
    { key: 'unit_cost', header: 'Unit cost', kind: 'money' },
    { key: 'value', header: 'Value', kind: 'money' },
  ],
  query: (params, context) => ({
    sql: `SELECT id AS item_id, sku, name, quantity_on_hand, currency, unit_cost,
                 quantity_on_hand::bigint * unit_cost AS value
            FROM inventory_items
           WHERE account_id = $1 AND deleted_at IS NULL AND ($2::boolean OR quantity_on_hand <> 0)
             AND ($3::text IS NULL OR currency = $3)
           ORDER BY name, id`,
    parameters: [params.include_empty ?? false, params.currency ?? null],
  }),
});

const campaignResults = defineReportType({
  name: 'campaign_results',
  title: 'Campaign results',
  description: 'Every campaign sent (started) within the days, with how many recipients were mailed and skipped.',
  params: rangeParams({}),
  columns: [
    { key: 'campaign_id', header: 'Campaign', kind: 'text', width: 1.6 },
    { key: 'name', header: 'Name', kind: 'text', width: 2 },
    { key: 'status', header: 'Status', kind: 'text', width: 0.8 },
    { key: 'started_at', header: 'Started', kind: 'datetime', width: 1.1 },
    { key: 'completed_at', header: 'Completed', kind: 'datetime', width: 1.1 },
    { key: 'recipient_count', header: 'Recipients', kind: 'integer', width: 0.8 },
    { key: 'sent_count', header: 'Sent', kind: 'integer', width: 0.6 },
    { key: 'skipped_count', header: 'Skipped', kind: 'integer', width: 0.7 },
  ],
  query: (params, context) => ({
    sql: `SELECT id AS campaign_id, name, status, ${local('started_at')} AS started_at,
                 ${local('completed_at')} AS completed_at, recipient_count, sent_count, skipped_count
            FROM campaigns
           WHERE account_id = $1 AND started_at IS NOT NULL AND ${inRange('started_at')}
           ORDER BY started_at, id`,
    parameters: rangeArgs(params, context),
  }),
});

export const REPORT_TYPES = [
  jobsCompleted,
  revenueByCustomer,
  invoiceAging,
  technicianTimesheets,
  inventoryValuation,
  campaignResults,
] as const;

export const REPORT_TYPE_NAMES = REPORT_TYPES.map((type) => type.name) as [string, ...string[]];

export function reportTypeOrThrow(name: string): ReportType {
  const type = REPORT_TYPES.find((candidate) => candidate.name === name);
  if (!type) throw new Error(`unknown report type '${name}'`);
  return type;
}
