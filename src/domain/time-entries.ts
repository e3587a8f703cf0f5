// Time entries: a technician clocks in (create) and out (the clock-out action). A technician
// has at most one open entry: clocking in again is a 409 naming it, and a partial unique index
// makes that hold under concurrent requests too.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field, timestampSchema } from '../platform/resource/fields.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';

export const timeEntries = defineResource({
  name: 'time_entry',
  collection: 'time-entries',
  idPrefix: 'tim',
  // A technician changes only their own work.
  roles: { technician: 'own' },
  description:
    'Time a technician worked, optionally on a job (also listed under `/v1/jobs/{id}/time-entries`). ' +
    'Creating one clocks in.',
  listedUnder: [{ collection: 'jobs', segment: 'time-entries', field: 'job_id' }],
  assignment: { field: 'technician_id' },
  schema: [
    `CREATE UNIQUE INDEX IF NOT EXISTS time_entries_one_open_key ON time_entries (account_id, technician_id) ` +
      `WHERE status = 'open'`,
  ],
  fields: {
    technician_id: field.ref('users').required().createOnly().filterable().expand('technician'),
    job_id: field.ref('jobs').filterable().expand('job'),
    status: field.enum(['open', 'closed']).default('open').readOnly().filterable().describe('Open until clock-out.'),
    started_at: field.datetime().filterable().sortable().describe('Clock-in time; default: now.'),
    ended_at: field.datetime().readOnly().filterable().sortable(),
    duration_minutes: field.integer().readOnly().filterable().describe('Whole minutes between clock-in and clock-out.'),
    notes: field.text({ max: 2000 }),
  },
  lifecycle: { field: 'status', updatableIn: ['open', 'closed'] },
  hooks: {
    beforeCreate: async ({ row, ctx }) => {
      row.started_at ??= ctx.now;
      const [open] = await ctx.tx.query({
        sql: `SELECT id FROM time_entries WHERE account_id = $1 AND technician_id = $2 AND status = 'open'`,
        parameters: [ctx.tx.accountId, row.technician_id],
      });
      if (open)
        throw new ApiError(
          'conflict',
          `Technician '${row.technician_id}' is clocked in already (time entry '${open.id}'); clock out first`,
          { conflicting: { object: 'time_entry', id: open.id } },
        );
    },
    validate: async ({ row }) => {
      if (row.ended_at && row.started_at && row.ended_at < row.started_at)
        throw validationFailed([{ path: 'started_at', message: 'must be before ended_at' }]);
    },
    compute: (row) => ({
      duration_minutes:
        row.ended_at && row.started_at
          ? Math.floor((Date.parse(row.ended_at) - Date.parse(row.started_at)) / 60_000)
          : null,
    }),
  },
  actions: {
    'clock-out': {
      summary: 'Clock out: close the entry',
      from: ['open'],
      to: 'closed',
      event: 'clocked_out',
      input: z.strictObject({ ended_at: timestampSchema().optional().describe('Default: now.') }),
      apply: ({ row, input, ctx }) => {
        const ended = input.ended_at ?? ctx.now;
        if (row.started_at && ended < row.started_at)
          throw validationFailed([{ path: 'ended_at', message: 'must not be before started_at' }]);
        return { ended_at: ended };
      },
    },
  },
});
