// Jobs: a visit to a customer site, from unscheduled to completed (or cancelled).
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field, timestampSchema } from '../platform/resource/fields.ts';
import { validationFailed } from '../platform/errors.ts';
import { ADDRESS } from './customers.ts';
import { users } from './users.ts';
import { selectRow } from '../platform/operations/row-statements.ts';
import { isIdOf } from '../platform/ids.ts';

export const JOB_STATUSES = ['unscheduled', 'scheduled', 'in_progress', 'completed', 'cancelled'] as const;
const OPEN: (typeof JOB_STATUSES)[number][] = ['unscheduled', 'scheduled', 'in_progress'];

const scheduleInput = z.strictObject({
  scheduled_start: timestampSchema(),
  scheduled_end: timestampSchema(),
}).refine((w) => w.scheduled_end > w.scheduled_start, { path: ['scheduled_end'], message: 'must be after scheduled_start' });

export const jobs = defineResource({
  name: 'job',
  collection: 'jobs',
  idPrefix: 'job',
  description: 'A visit to a customer site.',
  softDelete: true,
  fields: {
    title: field.text({ min: 1, max: 200 }).required().searchable().sortable().example('Replace water heater'),
    description: field.text({ max: 10_000 }).searchable(),
    customer_id: field.ref('customers').required().filterable().expand('customer'),
    technician_id: field.ref('users').readOnly().filterable().expand('technician').describe('Set by the assign action.'),
    status: field.enum(JOB_STATUSES).default('unscheduled').readOnly().filterable().describe('Changes only through actions.'),
    priority: field.enum(['low', 'normal', 'high', 'urgent']).default('normal').filterable().sortable(),
    address: field.json(ADDRESS).describe('Where the work happens; defaults to nothing (use the customer\'s).'),
    scheduled_start: field.datetime().readOnly().filterable().sortable(),
    scheduled_end: field.datetime().readOnly().filterable(),
    started_at: field.datetime().readOnly(),
    completed_at: field.datetime().readOnly().filterable().sortable(),
    cancelled_at: field.datetime().readOnly(),
    cancellation_reason: field.text({ max: 1000 }).readOnly(),
  },
  lifecycle: { field: 'status', updatableIn: OPEN, deletableIn: ['unscheduled', 'scheduled', 'cancelled'] },
  actions: {
    schedule: {
      summary: 'Schedule the job (or reschedule it)',
      from: ['unscheduled', 'scheduled'], to: 'scheduled', event: 'scheduled',
      input: scheduleInput,
      apply: ({ input }) => ({ scheduled_start: input.scheduled_start, scheduled_end: input.scheduled_end }),
    },
    assign: {
      summary: 'Assign a technician',
      from: OPEN, event: 'assigned',
      input: z.strictObject({ technician_id: z.string() }),
      apply: async ({ input, ctx }) => {
        const id = input.technician_id as string;
        const [technician] = isIdOf(users.idPrefix, id) ? await ctx.tx.query(selectRow(users, ctx.tx.accountId, id)) : [];
        if (!technician) throw validationFailed([{ path: 'technician_id', message: `No such user: '${id}'` }]);
        if (technician.role !== 'technician' || technician.status !== 'active') {
          throw validationFailed([{ path: 'technician_id', message: `User '${id}' is not an active technician` }]);
        }
        return { technician_id: id };
      },
    },
    start: {
      summary: 'Start work on site',
      from: ['scheduled'], to: 'in_progress', event: 'started',
      apply: ({ ctx }) => ({ started_at: ctx.now }),
    },
    complete: {
      summary: 'Mark the work done',
      from: ['in_progress'], to: 'completed', event: 'completed',
      apply: ({ ctx }) => ({ completed_at: ctx.now }),
    },
    cancel: {
      summary: 'Cancel the job',
      from: OPEN, to: 'cancelled', event: 'cancelled',
      input: z.strictObject({ reason: z.string().max(1000).optional() }),
      apply: ({ input, ctx }) => ({ cancelled_at: ctx.now, cancellation_reason: input.reason ?? null }),
    },
  },
});
