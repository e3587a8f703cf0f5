// GET /v1/analytics/dashboard: the figures an owner or dispatcher opens the day with: jobs by
// status (today and the period), technician utilisation, money invoiced, collected and overdue,
// open tickets and SLA breaches, the lead pipeline and its conversion rate.
import { z } from 'zod';
import type { Row } from '../db/database.ts';
import { TICKET_PRIORITIES } from '../domain/tickets.ts';
import { analyticsOperation } from './analytics-operation.ts';
import { inPeriod, num, PERIOD_END, PERIOD_START, ratio, TODAY, workingDays } from './analytics-sql.ts';
import type { Window, WindowQuery } from './analytics-window.ts';
import { mergeByCurrency, perCurrency } from './money.ts';
import { countsOf, jobsOfDays, statusCounts } from './job-days.ts';

const LEAD_STAGES = ['new', 'contacted', 'qualified'] as const;
const LEAD_STATUSES = ['open', 'converted', 'lost'] as const;
/** Available hours per active technician per working day (Monday to Friday): the model has no working hours. */
export const WORKDAY_HOURS = 8;

const hours = (value: unknown) => Math.round(num(value) * 100) / 100;
const counts = <K extends string>(keys: readonly K[]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, z.int()])) as Record<K, z.ZodInt>);

const snapshotSchema = {
  today: z
    .object({ date: z.string(), jobs_by_status: statusCounts, jobs: z.int() })
    .describe("Today's jobs (local date), by the day they are scheduled for (unscheduled ones: the day created)."),
  open_tickets_by_priority: counts(TICKET_PRIORITIES).describe('Tickets open now, by priority.'),
  open_tickets_past_due: z.int().describe('Open tickets whose SLA due time has passed: breaches still running.'),
  open_leads_by_stage: counts(LEAD_STAGES).describe('Open leads now, by pipeline stage.'),
  overdue: perCurrency(
    { amount: 'Still owed on invoices past their due date.', invoices: 'How many invoices.' },
    'Owed on open invoices whose due date is before today (local), per currency.',
  ),
};

const periodSchema = {
  jobs_by_status: statusCounts.describe(
    'Jobs of the period by status, by the day they are scheduled for (unscheduled ones: the day created).',
  ),
  jobs: z.int(),
  technician_utilisation: z
    .object({
      available_hours_per_technician: z.number(),
      scheduled_hours: z.number(),
      available_hours: z.number(),
      utilisation: z.number().nullable(),
      technicians: z.array(
        z.object({
          technician_id: z.string(),
          name: z.string(),
          scheduled_hours: z.number(),
          utilisation: z.number().nullable(),
        }),
      ),
    })
    .describe(
      'Scheduled hours / available hours. Scheduled: the length (scheduled_end - scheduled_start) of the ' +
        "technician's jobs that are not cancelled and whose window starts in the period. Available: " +
        `${WORKDAY_HOURS} h per working day (Monday to Friday, local) of the period, for each active technician.`,
    ),
  revenue: perCurrency(
    {
      invoiced: 'Total of invoices sent in the period (void ones left out).',
      invoices: 'How many.',
      collected: 'Payments received in the period (before refunds).',
    },
    'Money per currency.',
  ),
  tickets: z.object({
    opened: z.int(),
    resolved: z.int(),
    resolved_late: z.int().describe('Resolved in the period after their SLA due time.'),
    escalated: z.int().describe('Escalated in the period (by hand or by the SLA sweep).'),
  }),
  leads: z.object({
    created: z.int(),
    by_status: counts(LEAD_STATUSES).describe('Leads created in the period, by what they are now.'),
    converted: z.int().describe('Leads converted in the period (whenever created).'),
    conversion_rate: z.number().nullable().describe('Of the leads created in the period, the share converted since.'),
  }),
};

const keyed = <K extends string>(keys: readonly K[], rows: Row[], key: string) =>
  Object.fromEntries(keys.map((k) => [k, num(rows.find((row) => row[key] === k)?.n)])) as Record<K, number>;

const LOCAL_TODAY_START = `(${TODAY}::timestamp AT TIME ZONE $2::text)`;
const LOCAL_TODAY_END = `((${TODAY} + 1)::timestamp AT TIME ZONE $2::text)`;

const snapshot = {
  sqls: () => [
    jobsOfDays(LOCAL_TODAY_START, LOCAL_TODAY_END),
    `SELECT priority AS k, count(*) AS n, count(*) FILTER (WHERE due_at < now()) AS past_due FROM tickets
      WHERE account_id = $1 AND status = 'open' AND deleted_at IS NULL GROUP BY priority`,
    `SELECT stage AS k, count(*) AS n FROM leads WHERE account_id = $1 AND status = 'open' AND deleted_at IS NULL
      GROUP BY stage`,
    `SELECT currency, sum(amount_due) AS amount, count(*) AS invoices FROM invoices
      WHERE account_id = $1 AND status IN ('open', 'overdue') AND amount_due > 0 AND due_date < ${TODAY}
      GROUP BY currency`,
  ],
  assemble: ([jobs, tickets, leads, overdue]: Row[][], window: Window) => {
    const byStatus = countsOf(jobs);
    return {
      today: { date: window.today, jobs_by_status: byStatus, jobs: Object.values(byStatus).reduce((a, b) => a + b, 0) },
      open_tickets_by_priority: keyed(TICKET_PRIORITIES, tickets, 'k'),
      open_tickets_past_due: tickets.reduce((sum, row) => sum + num(row.past_due), 0),
      open_leads_by_stage: keyed(LEAD_STAGES, leads, 'k'),
      overdue: mergeByCurrency(['amount', 'invoices'], overdue),
    };
  },
};

const period = {
  sqls: () => [
    jobsOfDays(PERIOD_START, PERIOD_END),
    `SELECT u.id, u.name, coalesce(sum(date_part('epoch', j.scheduled_end - j.scheduled_start)) / 3600, 0) AS hours
       FROM users u LEFT JOIN jobs j ON j.account_id = $1 AND j.technician_id = u.id AND j.deleted_at IS NULL
        AND j.status <> 'cancelled' AND ${inPeriod('j.scheduled_start')}
      WHERE u.account_id = $1 AND u.role = 'technician' AND u.status = 'active' AND u.deleted_at IS NULL
      GROUP BY u.id, u.name ORDER BY u.name, u.id`,
    `SELECT currency, sum(total) AS invoiced, count(*) AS invoices FROM invoices
      WHERE account_id = $1 AND status <> 'void' AND ${inPeriod('sent_at')} GROUP BY currency`,
    `SELECT currency, sum(amount) AS collected FROM payments WHERE account_id = $1 AND ${inPeriod('created_at')}
      GROUP BY currency`,
    `SELECT (SELECT count(*) FROM tickets WHERE account_id = $1 AND deleted_at IS NULL AND ${inPeriod('created_at')})
              AS opened,
            count(*) FILTER (WHERE resolved_at IS NOT NULL) AS resolved,
            count(*) FILTER (WHERE resolved_within_sla = false) AS resolved_late
       FROM tickets WHERE account_id = $1 AND deleted_at IS NULL AND ${inPeriod('resolved_at')}`,
    `SELECT count(*) AS escalated FROM tickets WHERE account_id = $1 AND deleted_at IS NULL
        AND ${inPeriod('escalated_at')}`,
    `SELECT status AS k, count(*) AS n FROM leads WHERE account_id = $1 AND deleted_at IS NULL
        AND ${inPeriod('created_at')} GROUP BY status`,
    `SELECT count(*) AS converted FROM leads WHERE account_id = $1 AND deleted_at IS NULL
        AND ${inPeriod('converted_at')}`,
  ],
  assemble: (
    [jobs, technicians, invoiced, collected, [tickets], [escalated], leads, [converted]]: Row[][],
    window: Window,
  ) => {
    const byStatus = countsOf(jobs);
    const perTechnician = WORKDAY_HOURS * workingDays(window.from, window.to);
    const scheduled = technicians.reduce((sum, row) => sum + num(row.hours), 0);
    const available = perTechnician * technicians.length;
    const leadStatuses = keyed(LEAD_STATUSES, leads, 'k');
    const created = Object.values(leadStatuses).reduce((a, b) => a + b, 0);
    return {
      jobs_by_status: byStatus,
      jobs: Object.values(byStatus).reduce((a, b) => a + b, 0),
      technician_utilisation: {
        available_hours_per_technician: perTechnician,
        scheduled_hours: hours(scheduled),
        available_hours: available,
        utilisation: ratio(scheduled, available),
        technicians: technicians.map((row) => ({
          technician_id: row.id,
          name: row.name,
          scheduled_hours: hours(row.hours),
          utilisation: ratio(num(row.hours), perTechnician),
        })),
      },
      revenue: mergeByCurrency(['invoiced', 'invoices', 'collected'], invoiced, collected),
      tickets: {
        opened: num(tickets.opened),
        resolved: num(tickets.resolved),
        resolved_late: num(tickets.resolved_late),
        escalated: num(escalated.escalated),
      },
      leads: {
        created,
        by_status: leadStatuses,
        converted: num(converted.converted),
        conversion_rate: ratio(leadStatuses.converted, created),
      },
    };
  },
};

export const dashboardOperation = analyticsOperation<WindowQuery, ReturnType<typeof period.assemble>, unknown>({
  path: '/v1/analytics/dashboard',
  operationId: 'getAnalyticsDashboard',
  tag: 'Business analytics',
  object: 'analytics_dashboard',
  summary: 'Business dashboard',
  description:
    "Today's figures and the period's, in the account's time zone; money per currency in minor units. " +
    `Technician utilisation counts ${WORKDAY_HOURS} available hours per working day (Monday to Friday) ` +
    'per active technician.',
  snapshot,
  snapshotSchema,
  period,
  periodSchema,
});
