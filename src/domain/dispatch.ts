// The dispatcher's desk: the queue of jobs still waiting for a technician or a time, and
// assigning and reassigning them. Assigning is the job's `assign` action; these routes name
// the job in the body, as a dispatch board sends it.
import { z } from 'zod';
import { resourceEndpoint } from '../platform/resource/define-resource.ts';
import { idOfSchema } from '../platform/resource/fields.ts';
import { componentRef } from '../platform/openapi/json-schema.ts';
import { loadReferencedOrThrow } from '../platform/operations/load-row.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { assignmentShape, withWindowRules } from './technician-booking.ts';
import type { ResourceEndpointSpec, OperationContext } from '../platform/contract.ts';

const dispatchInput = withWindowRules(z.strictObject({ job_id: idOfSchema('jobs'), ...assignmentShape }));

type Dispatch = z.infer<typeof dispatchInput>;

/** The job the body names (422 at `job_id` if there is none). */
const namedJob = (ctx: OperationContext, input: Dispatch) =>
  loadReferencedOrThrow(ctx, ctx.registry.get('jobs'), input.job_id, 'job_id');

async function assign(ctx: OperationContext, { job_id, ...assignment }: Dispatch) {
  return serialize(ctx.registry.get('jobs'), await ctx.runAction('jobs', job_id, 'assign', assignment));
}

export const dispatchEndpoints: ResourceEndpointSpec[] = [
  resourceEndpoint({
    method: 'get',
    base: '/v1/dispatch',
    path: '/queue',
    operationId: 'getDispatchQueue',
    summary: 'Jobs waiting for a technician or a time',
    description:
      'Open jobs that are unassigned or unscheduled, most urgent first and, within a priority, longest waiting first.',
    input: z.strictObject({
      limit: z.coerce.number().int().min(1).max(100).default(50).describe('How many jobs to return (1-100).'),
    }),
    answers: z.object({
      object: z.literal('dispatch_queue'),
      total: z.int().describe('Jobs waiting in all.'),
      data: z.array(componentRef('Job')),
    }),
    async run({ input, ctx }) {
      const jobs = ctx.registry.get('jobs');
      const waiting = `account_id = $1 AND deleted_at IS NULL AND status IN ('unscheduled', 'scheduled')
                       AND (technician_id IS NULL OR scheduled_start IS NULL)`;
      // the enum is declared least urgent first
      const mostUrgentFirst = [...jobs.fields.priority.enumValues!].reverse();
      const rows = await ctx.tx.query({
        sql: `SELECT ${jobs.selectColumns.join(', ')} FROM jobs WHERE ${waiting}
              ORDER BY array_position($3::text[], priority), created_at, id LIMIT $2`,
        parameters: [ctx.tx.accountId, input.limit, mostUrgentFirst],
      });
      const [{ total }] = await ctx.tx.query({
        sql: `SELECT count(*)::int AS total FROM jobs WHERE ${waiting}`,
        parameters: [ctx.tx.accountId],
      });
      return { object: 'dispatch_queue', total, data: rows.map((row) => serialize(jobs, row)) };
    },
  }),
  resourceEndpoint({
    method: 'post',
    base: '/v1/dispatch',
    path: '/assign',
    operationId: 'dispatchJob',
    respondsWith: 'jobs',
    summary: 'Assign a job to a technician, optionally booking a window',
    description:
      "The job's `assign` action with the job named in the body: the technician must be free for the window " +
      '(409 `conflict` naming the job or schedule block in the way).',
    input: dispatchInput,
    async run({ input, ctx }) {
      await namedJob(ctx, input);
      return assign(ctx, input);
    },
  }),
  resourceEndpoint({
    method: 'post',
    base: '/v1/dispatch',
    path: '/reassign',
    operationId: 'redispatchJob',
    respondsWith: 'jobs',
    summary: 'Move an assigned job to another technician',
    description:
      'Like assign, for a job that already has a technician (409 `conflict` if it has none); ' +
      'the new technician must be free for the window.',
    input: dispatchInput,
    async run({ input, ctx }) {
      const job = await namedJob(ctx, input);
      if (!job.technician_id)
        throw new ApiError('conflict', `Job '${job.id}' has no technician yet; assign it instead`);
      if (job.technician_id === input.technician_id) {
        throw validationFailed([
          { path: 'technician_id', message: `'${input.technician_id}' is already the job's technician` },
        ]);
      }
      return assign(ctx, input);
    },
  }),
];
