// Tickets: the service desk. A ticket is open until resolved, and resolved until closed or
// reopened. Its due time follows the SLA for its priority, counted from when it was opened,
// so changing the priority moves the due time; `resolved_within_sla` says whether it was met.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import type { Row } from '../db/database.ts';

export const TICKET_STATUSES = ['open', 'resolved', 'closed'] as const;
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

/** Hours from opening to the resolution due time, per priority. */
export const RESOLUTION_SLA_HOURS: Record<(typeof TICKET_PRIORITIES)[number], number> = {
  urgent: 4,
  high: 24,
  normal: 72,
  low: 168,
};

const slaText = Object.entries(RESOLUTION_SLA_HOURS)
  .map(([priority, hours]) => `${priority} ${hours} h`)
  .join(', ');

function slaFields(row: Row): Row {
  const opened = new Date(row.created_at).getTime();
  const due = new Date(
    opened + RESOLUTION_SLA_HOURS[row.priority as keyof typeof RESOLUTION_SLA_HOURS] * 3_600_000,
  ).toISOString();
  const resolved = row.resolved_at ? new Date(row.resolved_at).toISOString() : null;
  return { due_at: due, resolved_within_sla: resolved === null ? null : resolved <= due };
}

export const tickets = defineResource({
  name: 'ticket',
  collection: 'tickets',
  idPrefix: 'tkt',
  description:
    `A customer request or problem for the service desk. ` +
    `Due times follow the SLA per priority (${slaText} from opening); overdue: \`?status=open&due_at[lt]={now}\`.`,
  searchTitle: ['subject'],
  softDelete: true,
  fields: {
    subject: field
      .text({ min: 1, max: 200 })
      .required()
      .searchable()
      .sortable()
      .example('No hot water since the repair'),
    description: field.text({ max: 20_000 }).searchable(),
    customer_id: field.ref('customers').filterable().expand('customer'),
    contact_id: field.ref('contacts').filterable().expand('contact'),
    job_id: field.ref('jobs').filterable().expand('job').describe('The job the ticket is about, if any.'),
    assignee_id: field.ref('users').filterable().expand('assignee'),
    priority: field.enum(TICKET_PRIORITIES).default('normal').filterable().sortable(),
    channel: field
      .enum(['email', 'phone', 'portal', 'chat', 'api'])
      .default('api')
      .filterable()
      .describe('Where the request came in.'),
    status: field
      .enum(TICKET_STATUSES)
      .default('open')
      .readOnly()
      .filterable()
      .describe('Changes only through resolve, close and reopen.'),
    due_at: field
      .datetime()
      .readOnly()
      .filterable()
      .sortable()
      .describe("When it should be resolved by, from its priority's SLA."),
    resolved_at: field.datetime().readOnly().filterable().sortable(),
    resolution: field.text({ max: 5000 }).readOnly().searchable(),
    resolved_within_sla: field
      .boolean()
      .readOnly()
      .filterable()
      .describe('Set when resolved: whether that was by `due_at`.'),
    closed_at: field.datetime().readOnly(),
  },
  lifecycle: { field: 'status', updatableIn: ['open'] },
  hooks: { compute: slaFields },
  actions: {
    resolve: {
      summary: 'Resolve the ticket',
      from: ['open'],
      to: 'resolved',
      event: 'resolved',
      input: z.strictObject({ resolution: z.string().trim().min(1).max(5000).describe('What was done.') }),
      apply: ({ input, ctx }) => ({ resolved_at: ctx.now, resolution: input.resolution }),
    },
    reopen: {
      summary: 'Reopen a resolved or closed ticket',
      description: 'The SLA clock is not reset: the due time still counts from when the ticket was first opened.',
      from: ['resolved', 'closed'],
      to: 'open',
      event: 'reopened',
      apply: () => ({ resolved_at: null, resolution: null, closed_at: null }),
    },
    close: {
      summary: 'Close a resolved ticket',
      from: ['resolved'],
      to: 'closed',
      event: 'closed',
      apply: ({ ctx }) => ({ closed_at: ctx.now }),
    },
  },
});
