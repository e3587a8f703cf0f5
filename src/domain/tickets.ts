// Tickets: the service desk. A ticket is open until resolved, and resolved until closed or
// reopened. Its due time follows the SLA for its priority, counted from when it was opened,
// so changing the priority moves the due time; `resolved_within_sla` says whether it was met.
// An open ticket past its due time is escalated once (src/automation/ticket-escalation.ts).
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field, idOfSchema } from '../platform/resource/fields.ts';
import type { Row } from '../db/database.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import type { OperationContext } from '../platform/contract.ts';

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

async function assertActiveMember(ctx: OperationContext, userId: string): Promise<void> {
  const [member] = await ctx.tx.query({
    sql: `SELECT 1 FROM ${ctx.registry.get('users').table}
           WHERE account_id = $1 AND id = $2 AND status = 'active' AND deleted_at IS NULL`,
    parameters: [ctx.tx.accountId, userId],
  });
  if (!member) throw validationFailed([{ path: 'assignee_id', message: `'${userId}' is no active member` }]);
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
    escalated_at: field
      .datetime()
      .readOnly()
      .filterable()
      .sortable()
      .describe('When it was escalated: by hand, or by the SLA sweep once `due_at` passed with the ticket open.'),
    escalation_reason: field.text({ max: 1000 }).readOnly(),
  },
  lifecycle: { field: 'status', updatableIn: ['open'] },
  hooks: { compute: slaFields },
  // The SLA sweep's question, "open, past due, not escalated", answered from a small index.
  schema: [
    `CREATE INDEX IF NOT EXISTS tickets_escalation_idx ON tickets (due_at)
       WHERE status = 'open' AND escalated_at IS NULL AND deleted_at IS NULL`,
  ],
  actions: {
    resolve: {
      summary: 'Resolve the ticket',
      from: ['open'],
      to: 'resolved',
      event: 'resolved',
      input: z.strictObject({ resolution: z.string().trim().min(1).max(5000).describe('What was done.') }),
      apply: ({ input, ctx }) => ({ resolved_at: ctx.now, resolution: input.resolution }),
    },
    escalate: {
      summary: 'Escalate the ticket',
      description:
        'Marks it escalated (`ticket.escalated`: its assignee, owners and admins are notified), optionally handing ' +
        'it to another member. The SLA sweep escalates open tickets past `due_at` on its own; a ticket is escalated ' +
        'once (409 when it already is).',
      from: ['open'],
      to: 'open',
      event: 'escalated',
      input: z.strictObject({
        reason: z.string().trim().min(1).max(1000).optional().describe('Why; the sweep says the SLA was missed.'),
        assignee_id: idOfSchema('users').optional().describe('A member to hand it to.'),
      }),
      apply: async ({ row, input, ctx }) => {
        if (row.escalated_at)
          throw new ApiError(
            'conflict',
            `Ticket '${row.id}' was escalated at ${new Date(row.escalated_at).toISOString()}`,
          );
        if (input.assignee_id) await assertActiveMember(ctx, input.assignee_id);
        return {
          escalated_at: ctx.now,
          escalation_reason: input.reason ?? null,
          ...(input.assignee_id && { assignee_id: input.assignee_id }),
        };
      },
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
