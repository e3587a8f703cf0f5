// What a customer asks of the business from the portal: help (a ticket, channel `portal`) and a
// visit or a new time for one (a schedule request). Both are the staff-side resources, created
// through their own validation, for the signed-in customer and no other.
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { validationFailed } from '../platform/errors.ts';
import { idOfSchema } from '../platform/resource/fields.ts';
import type { Operation } from '../platform/api/operation.ts';
import type { OperationContext, Registry } from '../platform/contract.ts';
import { asCustomer, customerIdOf } from './customer-context.ts';
import { CUSTOMER_TAG, customerMayRead, presentToCustomer, viewSchema } from './customer-views.ts';
import { CUSTOMER_VIEWS } from './customer-collections.ts';
import { PreferredWindows } from './schedule-requests.ts';

/** A job the customer names must be theirs: anyone else's reads as missing. */
async function assertOwnJob(ctx: OperationContext, jobId: string | undefined): Promise<void> {
  if (jobId === undefined) return;
  const [job] = await ctx.tx.query({
    sql: 'SELECT customer_id FROM jobs WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL',
    parameters: [ctx.tx.accountId, jobId],
  });
  if (!job || !customerMayRead(CUSTOMER_VIEWS.jobs, ctx.principal, job))
    throw validationFailed([{ path: 'job_id', message: `You have no job '${jobId}'` }]);
}

export function customerRequestOperations(registry: Registry): Operation[] {
  const { tickets, scheduleRequests } = CUSTOMER_VIEWS;
  const createTicket = defineOperation({
    method: 'post',
    path: '/v1/customer/tickets',
    operationId: 'createCustomerTicket',
    tag: CUSTOMER_TAG,
    scope: null,
    authentication: 'customer',
    bucket: 'write',
    summary: 'Ask the business for help',
    description: 'Opens a ticket (channel `portal`) for the customer, about one of their jobs if `job_id` is given.',
    body: z.strictObject({
      subject: z.string().trim().min(1).max(200),
      description: z.string().trim().max(20_000).optional(),
      job_id: idOfSchema('jobs').optional(),
    }),
    response: viewSchema(tickets, registry.get('tickets')),
    successStatus: 201,
    async handle(call) {
      const data = await asCustomer(call, async (ctx) => {
        await assertOwnJob(ctx, call.body.job_id);
        const row = await ctx.create('tickets', { ...call.body, customer_id: customerIdOf(ctx), channel: 'portal' });
        return (await presentToCustomer(ctx, tickets, [row]))[0];
      });
      return { status: 201, body: { data } };
    },
  });
  const requestVisit = defineOperation({
    method: 'post',
    path: '/v1/customer/schedule-requests',
    operationId: 'createCustomerScheduleRequest',
    tag: CUSTOMER_TAG,
    scope: null,
    authentication: 'customer',
    bucket: 'write',
    summary: 'Ask for a visit, or for a job to move',
    description:
      'With `job_id`, asks for that job (unscheduled or scheduled) to be moved; without, asks for a new visit. ' +
      'Staff approve it with a window (`POST /v1/schedule-requests/{id}/approve`) or decline it.',
    body: z.strictObject({
      job_id: idOfSchema('jobs').optional(),
      preferred_windows: PreferredWindows,
      note: z.string().trim().max(2000).optional(),
    }),
    response: viewSchema(scheduleRequests, registry.get('schedule-requests')),
    successStatus: 201,
    async handle(call) {
      const data = await asCustomer(call, async (ctx) => {
        await assertOwnJob(ctx, call.body.job_id);
        const row = await ctx.create('schedule-requests', { ...call.body, customer_id: customerIdOf(ctx) });
        return (await presentToCustomer(ctx, scheduleRequests, [row]))[0];
      });
      return { status: 201, body: { data } };
    },
  });
  return [createTicket, requestVisit];
}
