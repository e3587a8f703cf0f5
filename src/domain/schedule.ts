// The schedule: each technician's day (booked jobs and schedule blocks), and the order to
// drive a day's jobs in. A day is a calendar date in a time zone (UTC unless given).
import { z } from 'zod';
import { resourceEndpoint } from '../platform/resource/define-resource.ts';
import { dateSchema, idOfSchema } from '../platform/resource/fields.ts';
import { componentRef } from '../platform/openapi/json-schema.ts';
import { loadReferencedOrThrow } from '../platform/operations/load-row.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { validationFailed } from '../platform/errors.ts';
import { BOOKED_JOB_STATUSES } from './technician-booking.ts';
import { planRoute, routeLengthKm } from './route-optimization.ts';
import { locationFix } from './location-pings.ts';
import type { ResourceEndpointSpec, OperationContext } from '../platform/contract.ts';

const isTimeZone = (name: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
};

/** A calendar day in a time zone, as endpoints take it. */
export const day = {
  date: dateSchema().describe('The calendar day, e.g. `2026-01-15`.'),
  time_zone: z
    .string()
    .max(64)
    .refine(isTimeZone, 'Expected an IANA time zone such as Europe/Paris')
    .default('UTC')
    .describe('The time zone the day is in (IANA name).'),
};

export interface Day {
  date: string;
  time_zone: string;
}

/** The day's bounds as instants; PostgreSQL's time zone rules decide the offsets (DST days too). */
export async function bounds(
  ctx: OperationContext,
  { date, time_zone }: Day,
): Promise<{ starts_at: string; ends_at: string }> {
  const [row] = await ctx.tx.query({
    sql: `SELECT ($1::date::timestamp AT TIME ZONE $2) AS starts_at,
          (($1::date + 1)::timestamp AT TIME ZONE $2) AS ends_at`,
    parameters: [date, time_zone],
  });
  return row as { starts_at: string; ends_at: string };
}

/** Jobs (cancelled ones left out) whose window overlaps `window`, in time order; only `technicianId`'s if given. */
export function jobsOverlapping(
  ctx: OperationContext,
  window: { starts_at: string; ends_at: string },
  technicianId = '',
) {
  const jobs = ctx.registry.get('jobs');
  return ctx.tx.query({
    sql: `SELECT ${jobs.selectColumns.join(', ')} FROM jobs
            WHERE account_id = $1 AND deleted_at IS NULL AND status <> 'cancelled'
            AND scheduled_start < $3 AND scheduled_end > $2 AND ($4 = '' OR technician_id = $4)
            ORDER BY scheduled_start, id`,
    parameters: [ctx.tx.accountId, window.starts_at, window.ends_at, technicianId],
  });
}

const km = (value: number) => Math.round(value * 1000) / 1000;

export const scheduleEndpoints: ResourceEndpointSpec[] = [
  resourceEndpoint({
    method: 'get',
    base: '/v1/schedule',
    path: '',
    operationId: 'getSchedule',
    summary: "Each technician's day: booked jobs and schedule blocks",
    description:
      'Every active technician (or the one asked for), with the jobs and blocks that overlap the day, in time order; ' +
      'jobs booked that day without a technician are listed apart.',
    input: z.strictObject({ ...day, technician_id: idOfSchema('users').optional() }),
    answers: z.object({
      object: z.literal('schedule'),
      date: z.string(),
      time_zone: z.string(),
      starts_at: z.iso.datetime(),
      ends_at: z.iso.datetime(),
      technicians: z.array(
        z.object({
          technician_id: z.string(),
          name: z.string(),
          jobs: z.array(componentRef('Job')),
          blocks: z.array(componentRef('ScheduleBlock')),
        }),
      ),
      unassigned: z.array(componentRef('Job')),
    }),
    async run({ input, ctx }) {
      const { starts_at, ends_at } = await bounds(ctx, input);
      const technicians = await ctx.tx.query({
        sql: `SELECT id, name FROM users WHERE account_id = $1 AND deleted_at IS NULL
                AND (id = $2 OR ($2 = '' AND role = 'technician' AND status = 'active')) ORDER BY name, id`,
        parameters: [ctx.tx.accountId, input.technician_id ?? ''],
      });
      if (input.technician_id && !technicians.length)
        throw validationFailed([{ path: 'technician_id', message: `No such user: '${input.technician_id}'` }]);
      const jobs = ctx.registry.get('jobs');
      const blocks = ctx.registry.get('schedule-blocks');
      const jobRows = await jobsOverlapping(ctx, { starts_at, ends_at });
      const blockRows = await ctx.tx.query({
        sql: `SELECT ${blocks.selectColumns.join(', ')} FROM schedule_blocks WHERE account_id = $1
                AND starts_at < $3 AND ends_at > $2 ORDER BY starts_at, id`,
        parameters: [ctx.tx.accountId, starts_at, ends_at],
      });
      return {
        object: 'schedule',
        date: input.date,
        time_zone: input.time_zone,
        starts_at,
        ends_at,
        technicians: technicians.map((technician) => ({
          technician_id: technician.id,
          name: technician.name,
          jobs: jobRows.filter((row) => row.technician_id === technician.id).map((row) => serialize(jobs, row)),
          blocks: blockRows.filter((row) => row.technician_id === technician.id).map((row) => serialize(blocks, row)),
        })),
        unassigned: input.technician_id
          ? []
          : jobRows.filter((row) => !row.technician_id).map((row) => serialize(jobs, row)),
      };
    },
  }),
  resourceEndpoint({
    method: 'post',
    base: '/v1/schedule',
    path: '/optimize',
    operationId: 'optimizeRoute',
    summary: "The order to drive a technician's booked jobs of a day in",
    description:
      "Distances are great-circle from each job's coordinates (its address, else its customer's). A day of up to ten " +
      'located jobs is solved exactly; a longer one by nearest neighbour improved with 2-opt and Or-opt. ' +
      'The same day always ' +
      'gives the same plan. Nothing is changed: reschedule the jobs in the order returned if you want it.',
    input: z.strictObject({
      ...day,
      technician_id: idOfSchema('users'),
      start: locationFix
        .pick({ latitude: true, longitude: true })
        .optional()
        .describe(
          "Where the day starts (the depot or the technician's home); without it the route starts at the best job.",
        ),
    }),
    answers: z.object({
      object: z.literal('route_plan'),
      technician_id: z.string(),
      date: z.string(),
      time_zone: z.string(),
      stops: z.array(
        z.object({
          sequence: z.int(),
          job_id: z.string(),
          latitude: z.number(),
          longitude: z.number(),
          distance_km: z.number().describe('From the previous stop (or the start).'),
        }),
      ),
      total_distance_km: z.number(),
      scheduled_order_distance_km: z
        .number()
        .describe('The same stops driven in their scheduled order, for comparison.'),
      unlocated_job_ids: z.array(z.string()).describe('Jobs of the day without coordinates: not planned.'),
    }),
    async run({ input, ctx }) {
      await loadReferencedOrThrow(ctx, ctx.registry.get('users'), input.technician_id, 'technician_id');
      const { starts_at, ends_at } = await bounds(ctx, input);
      const rows = await ctx.tx.query({
        sql: `SELECT j.id, COALESCE((j.address->>'latitude')::float8, (c.address->>'latitude')::float8) AS latitude,
                     COALESCE((j.address->>'longitude')::float8, (c.address->>'longitude')::float8) AS longitude
                FROM jobs j LEFT JOIN customers c ON c.account_id = j.account_id AND c.id = j.customer_id
               WHERE j.account_id = $1 AND j.technician_id = $2 AND j.deleted_at IS NULL AND j.status = ANY($5::text[])
                 AND j.scheduled_start < $4 AND j.scheduled_end > $3
               ORDER BY j.scheduled_start, j.id`,
        parameters: [ctx.tx.accountId, input.technician_id, starts_at, ends_at, BOOKED_JOB_STATUSES],
      });
      const located = rows
        .filter((row) => row.latitude !== null && row.longitude !== null)
        .map((row) => ({ id: row.id, latitude: Number(row.latitude), longitude: Number(row.longitude) }));
      const plan = planRoute(located, input.start);
      return {
        object: 'route_plan',
        technician_id: input.technician_id,
        date: input.date,
        time_zone: input.time_zone,
        stops: plan.order.map((index, i) => ({
          sequence: i + 1,
          job_id: located[index].id,
          latitude: located[index].latitude,
          longitude: located[index].longitude,
          distance_km: km(plan.legsKm[i]),
        })),
        total_distance_km: km(plan.totalKm),
        scheduled_order_distance_km: km(
          routeLengthKm(
            located,
            located.map((_, i) => i),
            input.start,
          ),
        ),
        unlocated_job_ids: rows.filter((row) => row.latitude === null || row.longitude === null).map((row) => row.id),
      };
    },
  }),
];
