// Schedule blocks: time a technician is not available for jobs (time off, a break, training).
// A block never overlaps the technician's booked jobs or other blocks.
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { validationFailed } from '../platform/errors.ts';
import { assertTechnicianFree } from './technician-booking.ts';

export const scheduleBlocks = defineResource({
  name: 'schedule_block',
  collection: 'schedule-blocks',
  idPrefix: 'blk',
  // What a technician works with in the field.
  roles: { technician: 'read' },
  description: 'Time a technician is not available for jobs.',
  fields: {
    technician_id: field.ref('users').required().filterable().expand('technician'),
    kind: field.enum(['time_off', 'break', 'training', 'travel', 'other']).default('time_off').filterable(),
    starts_at: field.datetime().required().filterable().sortable().example('2026-01-15T12:00:00.000Z'),
    ends_at: field.datetime().required().filterable().sortable().example('2026-01-15T13:00:00.000Z'),
    note: field.text({ max: 1000 }),
  },
  hooks: {
    validate: async ({ row, previous, ctx }) => {
      if (row.ends_at <= row.starts_at)
        throw validationFailed([{ path: 'ends_at', message: 'must be after starts_at' }]);
      const moved =
        !previous || (['technician_id', 'starts_at', 'ends_at'] as const).some((name) => row[name] !== previous[name]);
      if (moved)
        await assertTechnicianFree(
          ctx,
          row.technician_id,
          { starts_at: row.starts_at, ends_at: row.ends_at },
          row.id ?? '',
        );
    },
  },
});
