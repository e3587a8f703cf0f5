// A customer asking for a visit, or for a visit to move: preferred windows and a note. Staff see
// them as `schedule-requests`; `approve` books the job (a new one, or the job named) in a window
// through the jobs' own schedule and assign actions, so the technician's calendar rules apply
// (409 when the window collides), and `decline` says why.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field, idOfSchema, timestampSchema } from '../platform/resource/fields.ts';
import { validationFailed } from '../platform/errors.ts';

export const PreferredWindow = z
  .strictObject({ starts_at: timestampSchema(), ends_at: timestampSchema() })
  .refine((window) => window.ends_at > window.starts_at, { path: ['ends_at'], message: 'must be after starts_at' });

export const PreferredWindows = z.array(PreferredWindow).min(1).max(5);

const ApproveInput = z
  .strictObject({
    scheduled_start: timestampSchema(),
    scheduled_end: timestampSchema(),
    technician_id: idOfSchema('users').optional().describe('Assign this technician (who must be free).'),
    title: z.string().trim().min(1).max(200).optional().describe('A new job\'s title; default: "Visit requested".'),
  })
  .refine((input) => input.scheduled_end > input.scheduled_start, {
    path: ['scheduled_end'],
    message: 'must be after scheduled_start',
  });

export const scheduleRequests = defineResource({
  name: 'schedule_request',
  collection: 'schedule-requests',
  idPrefix: 'schreq',
  roles: { dispatcher: 'write', office: 'write', read_only: 'read' },
  description:
    'A customer asking, from the customer portal, for a visit or for a job to move: preferred windows and a note. ' +
    '`approve` books it; `decline` tells them no.',
  operations: ['list', 'get', 'create'],
  limitedBecause: 'A request is decided by approve or decline, never edited or deleted.',
  fields: {
    customer_id: field.ref('customers').required().createOnly().filterable().expand('customer'),
    job_id: field
      .ref('jobs')
      .createOnly()
      .filterable()
      .expand('job')
      .describe('The job to move; absent: a new visit is asked for (approve makes the job).'),
    preferred_windows: field
      .json(PreferredWindows)
      .required()
      .createOnly()
      .describe('When the customer would like the visit, most preferred first.'),
    note: field.text({ max: 2000 }).createOnly(),
    source: field.enum(['portal', 'staff']).default('staff').readOnly().filterable(),
    status: field
      .enum(['pending', 'approved', 'declined'])
      .default('pending')
      .readOnly()
      .filterable()
      .describe('Changes only through approve and decline.'),
    scheduled_start: field.datetime().readOnly().describe('The window booked by approve.'),
    scheduled_end: field.datetime().readOnly(),
    decided_at: field.datetime().readOnly().filterable().sortable(),
    decline_reason: field.text({ max: 1000 }).readOnly(),
  },
  lifecycle: { field: 'status' },
  hooks: {
    beforeCreate: async ({ row, ctx }) => {
      if (ctx.principal.customerId) row.source = 'portal';
      if (!row.job_id) return;
      const [job] = await ctx.tx.query({
        sql: 'SELECT customer_id, status FROM jobs WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL',
        parameters: [ctx.tx.accountId, row.job_id],
      });
      if (!job || job.customer_id !== row.customer_id)
        throw validationFailed([{ path: 'job_id', message: "is not a job of the request's customer" }]);
      if (!['unscheduled', 'scheduled'].includes(job.status))
        throw validationFailed([{ path: 'job_id', message: `The job is ${job.status}: it can no longer be moved` }]);
    },
  },
  actions: {
    approve: {
      summary: 'Book the requested visit',
      description:
        "Schedules the job named (or creates one for the customer) in the window given, through the job's " +
        '`schedule` action, or with `technician_id` its `assign` action: a technician who is not free is a 409.',
      from: ['pending'],
      to: 'approved',
      event: 'approved',
      input: ApproveInput,
      apply: async ({ row, input, ctx }) => {
        const window = { scheduled_start: input.scheduled_start, scheduled_end: input.scheduled_end };
        const jobId =
          row.job_id ??
          (
            await ctx.create('jobs', {
              title: input.title ?? 'Visit requested',
              customer_id: row.customer_id,
              description: row.note ?? undefined,
            })
          ).id;
        // Assigning with a window schedules in the same step.
        if (input.technician_id)
          await ctx.runAction('jobs', jobId, 'assign', { technician_id: input.technician_id, ...window });
        else await ctx.runAction('jobs', jobId, 'schedule', window);
        return { job_id: jobId, ...window, decided_at: ctx.now };
      },
    },
    decline: {
      summary: 'Decline the request',
      from: ['pending'],
      to: 'declined',
      event: 'declined',
      input: z.strictObject({ reason: z.string().trim().max(1000).optional() }),
      apply: ({ input, ctx }) => ({ decided_at: ctx.now, decline_reason: input.reason ?? null }),
    },
  },
});
