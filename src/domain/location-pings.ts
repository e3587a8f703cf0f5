// Where technicians are: location pings from their devices, uploaded one by one or in the
// batches a phone collects while offline, and the latest position of each technician.
// Pings are telemetry, not business events: they emit no events (no webhook floods).
import { z } from 'zod';
import { defineResource, resourceEndpoint } from '../platform/resource/define-resource.ts';
import { field, idOfSchema, type FieldBuilder } from '../platform/resource/fields.ts';
import { componentRef } from '../platform/openapi/json-schema.ts';
import { loadReferencedOrThrow } from '../platform/operations/load-row.ts';
import { serialize } from '../platform/operations/serialize.ts';
import type { OperationContext } from '../platform/contract.ts';

/** The most pings one track upload carries. */
export const MAX_PINGS_PER_UPLOAD = 500;

/** A device's fix: stored by a ping, sent by every upload of one. Its limits are declared once, here. */
const FIX_FIELDS = {
  latitude: field.number({ min: -90, max: 90 }).required().createOnly().example(40.7128),
  longitude: field.number({ min: -180, max: 180 }).required().createOnly().example(-74.006),
  accuracy_m: field.number({ min: 0, max: 100_000 }).createOnly().describe('Radius of uncertainty, in metres.'),
  recorded_at: field
    .datetime()
    .required()
    .createOnly()
    .filterable()
    .sortable()
    .describe('When the device took the fix.'),
};

const numberOf = (builder: FieldBuilder) => builder.spec.schema as z.ZodType<number>;

/** One fix as uploads send it; without `recorded_at` it is taken as now. */
export const locationFix = z.strictObject({
  latitude: numberOf(FIX_FIELDS.latitude),
  longitude: numberOf(FIX_FIELDS.longitude),
  accuracy_m: numberOf(FIX_FIELDS.accuracy_m).optional(),
  recorded_at: (FIX_FIELDS.recorded_at.spec.schema as z.ZodType<string>)
    .optional()
    .describe('When the device took the fix; default: now.'),
});

async function latestPositions(ctx: OperationContext, technicianId?: string) {
  const pings = ctx.registry.get('location-pings');
  const rows = await ctx.tx.query({
    sql: `SELECT DISTINCT ON (technician_id) ${pings.selectColumns.join(', ')} FROM location_pings
           WHERE account_id = $1 AND ($2 = '' OR technician_id = $2) ORDER BY technician_id, recorded_at DESC, id DESC`,
    parameters: [ctx.tx.accountId, technicianId ?? ''],
  });
  return rows.map((row) => serialize(pings, row));
}

export const locationPings = defineResource({
  name: 'location_ping',
  collection: 'location-pings',
  assignment: { field: 'technician_id' },
  idPrefix: 'gps',
  // A technician changes only their own work.
  roles: { technician: 'own' },
  description: "A technician's position at a moment, as their device reported it.",
  operations: ['list', 'get', 'create', 'delete', 'bulk', 'export'],
  limitedBecause: 'A ping is a measurement: never corrected, only recorded (alone or in batches) and deleted.',
  emitsEvents: false,
  // The latest position of each technician is one index probe per technician.
  schema: [
    'CREATE INDEX IF NOT EXISTS location_pings_latest_idx ' +
      'ON location_pings (account_id, technician_id, recorded_at DESC, id DESC)',
  ],
  fields: {
    technician_id: field.ref('users').required().createOnly().filterable().expand('technician'),
    ...FIX_FIELDS,
    job_id: field.ref('jobs').createOnly().filterable().describe('The job the technician was working on, if any.'),
  },
  endpoints: [
    resourceEndpoint({
      method: 'post',
      base: '/v1/gps',
      path: '/track',
      operationId: 'trackTechnician',
      summary: "Upload a technician's location pings",
      description:
        `Up to ${MAX_PINGS_PER_UPLOAD} pings at once, all stored or none. ` +
        `A ping without \`recorded_at\` is taken as now.`,
      input: z.strictObject({
        technician_id: idOfSchema('users'),
        job_id: idOfSchema('jobs').optional(),
        pings: z.array(locationFix).min(1).max(MAX_PINGS_PER_UPLOAD),
      }),
      answers: z.object({
        object: z.literal('gps_track'),
        technician_id: z.string(),
        stored: z.int(),
        latest: componentRef('LocationPing'),
      }),
      async run({ input, ctx }) {
        await loadReferencedOrThrow(ctx, ctx.registry.get('users'), input.technician_id, 'technician_id');
        for (const point of input.pings) {
          await ctx.create('location-pings', {
            technician_id: input.technician_id,
            job_id: input.job_id,
            ...point,
            recorded_at: point.recorded_at ?? ctx.now,
          });
        }
        const [latest] = await latestPositions(ctx, input.technician_id);
        return { object: 'gps_track', technician_id: input.technician_id, stored: input.pings.length, latest };
      },
    }),
    resourceEndpoint({
      method: 'get',
      base: '/v1/gps',
      path: '/latest',
      operationId: 'getLatestPositions',
      summary: "Each technician's latest reported position",
      input: z.strictObject({ technician_id: idOfSchema('users').optional() }),
      answers: z.object({ object: z.literal('technician_positions'), data: z.array(componentRef('LocationPing')) }),
      run: async ({ input, ctx }) => ({
        object: 'technician_positions',
        data: await latestPositions(ctx, input.technician_id),
      }),
    }),
  ],
});
