// Which day a job belongs to on the dashboard: the day it is scheduled for, or, while it has no
// window, the day it was created. Two index range scans (scheduled_start, created_at) instead of
// one scan of coalesce(...), which no index could serve.
import { z } from 'zod';
import type { Row } from '../db/database.ts';
import { JOB_STATUSES } from '../domain/jobs.ts';
import { num } from './analytics-sql.ts';

export const statusCounts = z.object(
  Object.fromEntries(JOB_STATUSES.map((status) => [status, z.int()])) as Record<
    (typeof JOB_STATUSES)[number],
    z.ZodInt
  >,
);

/** Jobs by status whose day falls in [start, end) (SQL instants). */
export const jobsOfDays = (start: string, end: string) =>
  `SELECT status, count(*) AS n FROM (
     SELECT status FROM jobs WHERE account_id = $1 AND deleted_at IS NULL
        AND scheduled_start >= ${start} AND scheduled_start < ${end}
     UNION ALL
     SELECT status FROM jobs WHERE account_id = $1 AND deleted_at IS NULL AND scheduled_start IS NULL
        AND created_at >= ${start} AND created_at < ${end}
   ) j GROUP BY status`;

export const countsOf = (rows: Row[]) =>
  Object.fromEntries(
    JOB_STATUSES.map((status) => [status, num(rows.find((row) => row.status === status)?.n)]),
  ) as Record<(typeof JOB_STATUSES)[number], number>;
