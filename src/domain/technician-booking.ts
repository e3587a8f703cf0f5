// Booking a technician's time. A technician is in one place at a time: an open job's window
// and a schedule block of theirs never overlap another. Booking locks the technician's row
// first, so two requests booking the same person run one after the other and the second
// sees what the first committed.
import { z } from 'zod';
import { ApiError } from '../platform/errors.ts';
import { loadReferencedOrThrow } from '../platform/operations/load-row.ts';
import type { Row } from '../db/database.ts';
import { idOfSchema, timestampSchema } from '../platform/resource/fields.ts';
import type { OperationContext } from '../platform/contract.ts';

export interface TimeWindow {
  starts_at: string;
  ends_at: string;
}

const windowShape = { scheduled_start: timestampSchema(), scheduled_end: timestampSchema() };
const endsAfterStart = (w: { scheduled_start?: string; scheduled_end?: string }) =>
  !w.scheduled_start || !w.scheduled_end || w.scheduled_end > w.scheduled_start;
const bothOrNeither = (w: { scheduled_start?: string; scheduled_end?: string }) =>
  (w.scheduled_start === undefined) === (w.scheduled_end === undefined);

export const scheduleInput = z
  .strictObject(windowShape)
  .refine(endsAfterStart, { path: ['scheduled_end'], message: 'must be after scheduled_start' });

/** What assigning a technician takes: who, and optionally the window to book. */
export const assignmentShape = {
  technician_id: idOfSchema('users'),
  scheduled_start: windowShape.scheduled_start.optional(),
  scheduled_end: windowShape.scheduled_end.optional(),
};

/** An assignment's window, if given, has both ends and ends after it starts. */
export const withWindowRules = <T extends z.ZodObject>(schema: T) =>
  schema
    .refine(bothOrNeither, {
      path: ['scheduled_end'],
      message: 'give both scheduled_start and scheduled_end, or neither',
    })
    .refine(endsAfterStart, { path: ['scheduled_end'], message: 'must be after scheduled_start' });

export const assignInput = withWindowRules(z.strictObject(assignmentShape));

export const toWindow = (w: z.infer<typeof scheduleInput>) => ({
  starts_at: w.scheduled_start,
  ends_at: w.scheduled_end,
});

/** Job statuses that hold a technician's time. */
export const BOOKED_JOB_STATUSES = ['scheduled', 'in_progress'];

/** The technician's row, locked until commit: every booking of one person goes through it. 422 if there is none. */
export const lockTechnician = (ctx: OperationContext, technicianId: string): Promise<Row> =>
  loadReferencedOrThrow(ctx, ctx.registry.get('users'), technicianId, 'technician_id', { lock: true });

/**
 * Refuses (409 `conflict`, naming the job or block it collides with) a window that overlaps
 * anything else booked for the technician. `except` is the job or block being moved itself.
 * `locked`: the caller holds the technician's row already (lockTechnician).
 */
export async function assertTechnicianFree(
  ctx: OperationContext,
  technicianId: string,
  window: TimeWindow,
  except = '',
  locked = false,
): Promise<void> {
  if (!locked) await lockTechnician(ctx, technicianId);
  const [clash] = await ctx.tx.query({
    sql: `SELECT 'job' AS object, id, scheduled_start AS starts_at, scheduled_end AS ends_at FROM jobs
            WHERE account_id = $1 AND technician_id = $2 AND deleted_at IS NULL AND status = ANY($5::text[])
              AND scheduled_start < $4 AND scheduled_end > $3 AND id <> $6
          UNION ALL
          SELECT 'schedule_block', id, starts_at, ends_at FROM schedule_blocks
            WHERE account_id = $1 AND technician_id = $2 AND starts_at < $4 AND ends_at > $3 AND id <> $6
          ORDER BY starts_at, id LIMIT 1`,
    parameters: [ctx.tx.accountId, technicianId, window.starts_at, window.ends_at, BOOKED_JOB_STATUSES, except],
  });
  if (!clash) return;
  const what = clash.object === 'job' ? 'job' : 'schedule block';
  throw new ApiError(
    'conflict',
    `Technician '${technicianId}' is booked from ${clash.starts_at} to ${clash.ends_at} by ${what} '${clash.id}'`,
    { conflicting: { object: clash.object, id: clash.id, starts_at: clash.starts_at, ends_at: clash.ends_at } },
  );
}

/** The window of a job that has one. */
export function jobWindow(row: Record<string, unknown>): TimeWindow | undefined {
  if (!row.scheduled_start || !row.scheduled_end) return undefined;
  return { starts_at: row.scheduled_start as string, ends_at: row.scheduled_end as string };
}
