// What a technician's app calls: their jobs for a day, and "I am here" on a job (a location
// ping tied to the job). A member's session asks for its own day unless it names a technician.
import { z } from 'zod';
import { resourceEndpoint } from '../platform/resource/define-resource.ts';
import { idOfSchema } from '../platform/resource/fields.ts';
import { componentRef } from '../platform/openapi/json-schema.ts';
import { loadReferencedOrThrow, lockRowOrThrow } from '../platform/operations/load-row.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { ApiError, badRequest } from '../platform/errors.ts';
import { bounds, day, jobsOverlapping } from './schedule.ts';
import { locationFix } from './location-pings.ts';
import type { ResourceEndpointSpec } from '../platform/contract.ts';

export const technicianEndpoints: ResourceEndpointSpec[] = [
  resourceEndpoint({
    method: 'get',
    base: '/v1/tech',
    path: '/jobs',
    operationId: 'listTechnicianJobs',
    summary: "A technician's jobs for a day, in time order",
    description:
      'Jobs assigned to the technician whose window overlaps the day (cancelled ones left out). ' +
      '`technician_id` defaults to the signed-in member; API keys must give it.',
    input: z.strictObject({ ...day, technician_id: idOfSchema('users').optional() }),
    answers: z.object({
      object: z.literal('technician_day'),
      technician_id: z.string(),
      date: z.string(),
      data: z.array(componentRef('Job')),
    }),
    async run({ input, ctx }) {
      const technicianId = input.technician_id ?? ctx.principal.userId;
      if (!technicianId) {
        throw badRequest("technician_id: required (this credential is not a member's session)", [
          { path: 'technician_id', message: "Required: this credential is not a member's session" },
        ]);
      }
      await loadReferencedOrThrow(ctx, ctx.registry.get('users'), technicianId, 'technician_id');
      const rows = await jobsOverlapping(ctx, await bounds(ctx, input), technicianId);
      const jobs = ctx.registry.get('jobs');
      return {
        object: 'technician_day',
        technician_id: technicianId,
        date: input.date,
        data: rows.map((row) => serialize(jobs, row)),
      };
    },
  }),
  resourceEndpoint({
    method: 'post',
    path: '/{id}/location',
    operationId: 'recordJobLocation',
    respondsWith: 'location-pings',
    summary: "Record where the job's technician is, at the job",
    description:
      "A location ping for the job's technician, tied to the job (see `/v1/location-pings`). " +
      'The job must have a technician (409 otherwise).',
    input: locationFix,
    async run({ input, params, ctx }) {
      const job = await lockRowOrThrow(ctx, ctx.registry.get('jobs'), params.id);
      if (!job.technician_id)
        throw new ApiError('conflict', `Job '${job.id}' has no technician to locate; assign one first`);
      const ping = await ctx.create('location-pings', {
        ...input,
        technician_id: job.technician_id,
        job_id: job.id,
        recorded_at: input.recorded_at ?? ctx.now,
      });
      return serialize(ctx.registry.get('location-pings'), ping);
    },
  }),
];
