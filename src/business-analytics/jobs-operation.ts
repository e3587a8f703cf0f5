// GET /v1/analytics/jobs: how much work was done and how well: counts, time from the scheduled
// start to completion, time on site (closed time entries), first-time fix rate, by technician,
// priority and customer tag, and a series.
import { z } from 'zod';
import type { Row } from '../db/database.ts';
import { analyticsOperation } from './analytics-operation.ts';
import { bucketOf, bucketsOf, inPeriod, num, ratio } from './analytics-sql.ts';
import type { Window, WindowQuery } from './analytics-window.ts';

interface JobsQuery extends WindowQuery {
  first_time_fix_days: number;
}

const LIVE = `account_id = $1 AND deleted_at IS NULL`;

/**
 * Jobs completed in the period, each with its times and whether it was fixed the first time: its
 * time on site and its customer's next job are facts on the job's row (job-facts.ts), so
 * this is one range of one index. Minutes as double precision (date_part): extract() answers
 * numeric, whose averages and median sorts cost this statement about a fifth of its time.
 */
const completedJobs = (days: number) => `WITH done AS (
  SELECT j.customer_id, j.technician_id, j.priority, ${bucketOf('j.completed_at')} AS bucket,
         date_part('epoch', j.completed_at - j.scheduled_start) / 60 AS completion_minutes,
         j.on_site_minutes,
         (j.next_job_created_at IS NULL
           OR j.next_job_created_at > j.completed_at + make_interval(days => ${days})) AS fixed
    FROM jobs j
   WHERE j.account_id = $1 AND j.deleted_at IS NULL AND j.status = 'completed' AND ${inPeriod('j.completed_at')})`;

const FIGURES = `count(*) AS completed,
  avg(completion_minutes) AS avg_completion_minutes,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY completion_minutes) AS median_completion_minutes,
  sum(on_site_minutes) AS on_site_minutes,
  avg(on_site_minutes) AS avg_on_site_minutes,
  count(*) FILTER (WHERE fixed) AS first_time_fixed`;

const Figures = {
  completed: z.int().describe('Jobs completed in the period.'),
  avg_completion_minutes: z
    .number()
    .nullable()
    .describe('Mean minutes from scheduled_start to completed_at (jobs that had a window).'),
  median_completion_minutes: z.number().nullable(),
  on_site_minutes: z.int().describe('Minutes of closed time entries on those jobs.'),
  avg_on_site_minutes: z.number().nullable().describe('Per completed job that has time entries.'),
  first_time_fix_rate: z
    .number()
    .nullable()
    .describe(
      'Share of the completed jobs after which no other job was created for the same customer within ' +
        '`first_time_fix_days` days (counted up to now for recent jobs).',
    ),
};

const rounded = (value: unknown) =>
  value === null || value === undefined ? null : Math.round(Number(value) * 10) / 10;
const figuresOf = (row: Row | undefined) => {
  const completed = num(row?.completed);
  return {
    completed,
    avg_completion_minutes: rounded(row?.avg_completion_minutes),
    median_completion_minutes: rounded(row?.median_completion_minutes),
    on_site_minutes: num(row?.on_site_minutes),
    avg_on_site_minutes: rounded(row?.avg_on_site_minutes),
    first_time_fix_rate: ratio(num(row?.first_time_fixed), completed),
  };
};

const periodSchema = {
  first_time_fix_days: z.int(),
  summary: z.object({
    created: z.int().describe('Jobs created in the period.'),
    scheduled: z.int().describe('Jobs whose window starts in the period.'),
    cancelled: z.int().describe('Jobs cancelled in the period.'),
    ...Figures,
  }),
  by_technician: z.array(z.object({ technician_id: z.string().nullable(), name: z.string().nullable(), ...Figures })),
  by_priority: z.array(z.object({ priority: z.string(), ...Figures })),
  by_customer_tag: z
    .array(z.object({ tag: z.string(), ...Figures }))
    .describe("Jobs have no type: they are grouped by their customer's tags (a job counts under each)."),
  series: z.array(
    z.object({
      bucket: z.string().describe('First day of the bucket.'),
      created: z.int(),
      completed: z.int(),
      cancelled: z.int(),
    }),
  ),
};

const period = {
  sqls: (query: JobsQuery) => [
    `SELECT ${bucketOf('created_at')} AS bucket, 'created' AS kind, count(*) AS n FROM jobs
      WHERE ${LIVE} AND ${inPeriod('created_at')} GROUP BY 1
     UNION ALL
     SELECT ${bucketOf('cancelled_at')}, 'cancelled', count(*) FROM jobs
      WHERE ${LIVE} AND ${inPeriod('cancelled_at')} GROUP BY 1
     UNION ALL
     SELECT NULL, 'scheduled', count(*) FROM jobs WHERE ${LIVE} AND ${inPeriod('scheduled_start')}`,
    // One statement, so the completed jobs (the costly part) are computed once for every grouping.
    `${completedJobs(query.first_time_fix_days)}
     SELECT g.*, u.name FROM (
       SELECT grouping(technician_id) AS g_technician, grouping(priority) AS g_priority,
              grouping(bucket) AS g_bucket, 1 AS g_tag, technician_id, priority, bucket, NULL AS tag, ${FIGURES}
         FROM done GROUP BY GROUPING SETS ((), (technician_id), (priority), (bucket))
       UNION ALL
       -- Only tagged customers are hashed: an untagged one adds no row (a third less work here).
       SELECT 1, 1, 1, 0, NULL, NULL, NULL, tag, ${FIGURES}
         FROM done
         JOIN customers c ON c.account_id = $1 AND c.id = done.customer_id AND c.tags <> '{}', unnest(c.tags) AS tag
        GROUP BY tag
     ) g LEFT JOIN users u ON u.account_id = $1 AND u.id = g.technician_id`,
  ],
  assemble: ([counts, groups]: Row[][], window: Window, query: JobsQuery) => {
    const sets = (over: string) => groups.filter((row) => num(row[`g_${over}`]) === 0);
    const total = groups.find(
      (row) => num(row.g_technician) && num(row.g_priority) && num(row.g_bucket) && num(row.g_tag),
    );
    const counted = (kind: string, bucket?: string) =>
      counts
        .filter((row) => row.kind === kind && (bucket === undefined || row.bucket === bucket))
        .reduce((sum, row) => sum + num(row.n), 0);
    return {
      first_time_fix_days: query.first_time_fix_days,
      summary: {
        created: counted('created'),
        scheduled: counted('scheduled'),
        cancelled: counted('cancelled'),
        ...figuresOf(total),
      },
      by_technician: sets('technician')
        .map((row) => ({ technician_id: row.technician_id, name: row.name ?? null, ...figuresOf(row) }))
        .sort((a, b) => b.completed - a.completed || String(a.technician_id).localeCompare(String(b.technician_id))),
      by_priority: sets('priority')
        .map((row) => ({ priority: row.priority, ...figuresOf(row) }))
        .sort((a, b) => b.completed - a.completed || a.priority.localeCompare(b.priority)),
      by_customer_tag: sets('tag')
        .map((row) => ({ tag: row.tag, ...figuresOf(row) }))
        .sort((a, b) => b.completed - a.completed || a.tag.localeCompare(b.tag)),
      series: bucketsOf(window).map((bucket) => ({
        bucket,
        created: counted('created', bucket),
        completed: num(sets('bucket').find((row) => row.bucket === bucket)?.completed),
        cancelled: counted('cancelled', bucket),
      })),
    };
  },
};

export const jobsAnalyticsOperation = analyticsOperation<JobsQuery, ReturnType<typeof period.assemble>>({
  path: '/v1/analytics/jobs',
  operationId: 'getJobsAnalytics',
  tag: 'Business analytics',
  object: 'job_analytics',
  summary: 'Job analytics',
  description:
    'Jobs created, scheduled, completed and cancelled in the period; for completed jobs the time from the scheduled ' +
    'start to completion, time on site (closed time entries) and the first-time fix rate; by technician, priority ' +
    'and customer tag, and as a series by day, week or month of the account time zone.',
  extraQuery: {
    first_time_fix_days: z.coerce
      .number()
      .int()
      .min(1)
      .max(365)
      .default(30)
      .describe('A completed job is fixed the first time when its customer gets no new job within this many days.'),
  },
  period,
  periodSchema,
});
