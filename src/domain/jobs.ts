// Jobs: a visit to a customer site, from unscheduled to completed (or cancelled).
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { ADDRESS } from './customers.ts';
import {
  assertTechnicianFree,
  assignInput,
  jobWindow,
  lockTechnician,
  scheduleInput,
  toWindow,
} from './technician-booking.ts';
import { dispatchEndpoints } from './dispatch.ts';
import { scheduleEndpoints } from './schedule.ts';
import { technicianEndpoints } from './technician-endpoints.ts';

export const JOB_STATUSES = ['unscheduled', 'scheduled', 'in_progress', 'completed', 'cancelled'] as const;
export const JOB_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
const OPEN: (typeof JOB_STATUSES)[number][] = ['unscheduled', 'scheduled', 'in_progress'];

export const jobs = defineResource({
  name: 'job',
  collection: 'jobs',
  assignment: { field: 'technician_id' },
  idPrefix: 'job',
  // A technician changes only their own work.
  roles: { technician: 'own' },
  description: 'A visit to a customer site.',
  searchTitle: ['title'],
  softDelete: true,
  fields: {
    title: field.text({ min: 1, max: 200 }).required().searchable().sortable().example('Replace water heater'),
    description: field.text({ max: 10_000 }).searchable(),
    customer_id: field.ref('customers').required().filterable().expand('customer'),
    technician_id: field
      .ref('users')
      .readOnly()
      .filterable()
      .expand('technician')
      .describe('Set by the assign action.'),
    status: field
      .enum(JOB_STATUSES)
      .default('unscheduled')
      .readOnly()
      .filterable()
      .describe('Changes only through actions.'),
    priority: field.enum(JOB_PRIORITIES).default('normal').filterable().sortable(),
    address: field.json(ADDRESS).describe("Where the work happens; defaults to nothing (use the customer's)."),
    scheduled_start: field.datetime().readOnly().filterable().sortable(),
    scheduled_end: field.datetime().readOnly().filterable(),
    started_at: field.datetime().readOnly(),
    completed_at: field.datetime().readOnly().filterable().sortable(),
    cancelled_at: field.datetime().readOnly(),
    cancellation_reason: field.text({ max: 1000 }).readOnly(),
    service_agreement_id: field
      .ref('service-agreements')
      .readOnly()
      .filterable()
      .expand('service_agreement')
      .describe('The service agreement whose visit this is, for jobs an agreement made.'),
  },
  listedUnder: [{ collection: 'service-agreements', segment: 'jobs', field: 'service_agreement_id' }],
  endpoints: [...dispatchEndpoints, ...scheduleEndpoints, ...technicianEndpoints],
  lifecycle: { field: 'status', updatableIn: OPEN, deletableIn: ['unscheduled', 'scheduled', 'cancelled'] },
  actions: {
    schedule: {
      summary: 'Schedule the job (or reschedule it)',
      description:
        'An assigned technician must be free for the whole window (409 `conflict` naming what is in the way).',
      from: ['unscheduled', 'scheduled'],
      to: 'scheduled',
      event: 'scheduled',
      input: scheduleInput,
      apply: async ({ row, input, ctx }) => {
        if (row.technician_id) await assertTechnicianFree(ctx, row.technician_id, toWindow(input), row.id);
        return { scheduled_start: input.scheduled_start, scheduled_end: input.scheduled_end };
      },
    },
    assign: {
      summary: 'Assign a technician (and optionally schedule the job)',
      description:
        "The technician must be free for the job's window (409 `conflict` naming what is in the way). " +
        'Given `scheduled_start` and `scheduled_end`, the job is scheduled for that window in the same step.',
      from: OPEN,
      event: 'assigned',
      input: assignInput,
      apply: async ({ row, input, ctx }) => {
        const technician = await lockTechnician(ctx, input.technician_id);
        if (technician.role !== 'technician' || technician.status !== 'active') {
          throw validationFailed([
            { path: 'technician_id', message: `User '${input.technician_id}' is not an active technician` },
          ]);
        }
        const rescheduling = input.scheduled_start !== undefined;
        if (rescheduling && row.status === 'in_progress') {
          throw new ApiError(
            'invalid_state_transition',
            'A job in progress cannot be rescheduled; assign it without a window',
            { current_state: row.status, allowed_states: ['unscheduled', 'scheduled'] },
          );
        }
        const window = rescheduling
          ? toWindow(input as { scheduled_start: string; scheduled_end: string })
          : jobWindow(row);
        if (window) await assertTechnicianFree(ctx, input.technician_id, window, row.id, true);
        return {
          technician_id: input.technician_id,
          ...(rescheduling
            ? {
                scheduled_start: input.scheduled_start,
                scheduled_end: input.scheduled_end,
                status: 'scheduled' as const,
              }
            : {}),
        };
      },
    },
    start: {
      summary: 'Start work on site',
      from: ['scheduled'],
      to: 'in_progress',
      event: 'started',
      apply: ({ ctx }) => ({ started_at: ctx.now }),
    },
    complete: {
      summary: 'Mark the work done',
      from: ['in_progress'],
      to: 'completed',
      event: 'completed',
      apply: ({ ctx }) => ({ completed_at: ctx.now }),
    },
    cancel: {
      summary: 'Cancel the job',
      from: OPEN,
      to: 'cancelled',
      event: 'cancelled',
      input: z.strictObject({ reason: z.string().max(1000).optional() }),
      apply: ({ input, ctx }) => ({ cancelled_at: ctx.now, cancellation_reason: input.reason ?? null }),
    },
  },
});
