// Approvals: an action a policy held, waiting for a decision. Approving runs the action as it
// was asked (its input kept), in the approval's transaction: approved and done, or neither.
// Rejecting refuses it for good. Decisions are people's: a member whose role or id the policy
// names, never the one who asked (four eyes), and each decision is an event.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { ApiError } from '../platform/errors.ts';
import { runActionInTransaction } from '../platform/operations/run-action.ts';
import { serialize } from '../platform/operations/serialize.ts';
import type { OperationContext } from '../platform/contract.ts';
import type { Row } from '../db/database.ts';
import { componentRef } from '../platform/openapi/json-schema.ts';
import { endRejectedRun, resumeRun } from './run-approvals.ts';

/** Refuses a decision by anyone the approval does not name, and by its requester. */
function assertMayDecide(ctx: OperationContext, approval: Row): string {
  const { userId, role } = ctx.principal;
  if (!userId)
    throw new ApiError('forbidden', 'Approvals are decided by members, signed in or through an app they allowed');
  if (userId === approval.requested_by) throw new ApiError('forbidden', 'The member who asked cannot decide');
  const named = approval.approver_user_ids.includes(userId) || (role && approval.approver_roles.includes(role));
  if (!named)
    throw new ApiError(
      'forbidden',
      'This approval is decided by ' + approversText(approval) + '; you are not one of them',
    );
  return userId;
}

const approversText = (approval: Row) =>
  [
    ...approval.approver_roles.map((role: string) => `the ${role} role`),
    ...approval.approver_user_ids.map((id: string) => `member ${id}`),
  ].join(' or ');

export const approvals = defineResource({
  name: 'approval',
  collection: 'approvals',
  idPrefix: 'appr',
  description:
    'An action an approval policy held (a refund over an amount, say): pending until a member it names approves ' +
    '(the action then runs, as asked) or rejects it (it never runs).',
  operations: ['list', 'get'],
  limitedBecause: 'Approvals are made by holding an action (see approval-policies) and ended by deciding them.',
  lifecycle: { field: 'status' },
  fields: {
    status: field.enum(['pending', 'approved', 'rejected', 'cancelled']).readOnly().default('pending').filterable(),
    policy_id: field
      .ref('approval-policies')
      .readOnly()
      .filterable(['eq', 'in'])
      .describe('The policy that held an action (none when a run asked).'),
    run_id: field
      .ref('automation-runs')
      .readOnly()
      .filterable(['eq', 'in'])
      .describe('The run that asked (a `request_approval` step): it waits for the decision.'),
    summary: field.text().readOnly().describe('What is to be decided.'),
    collection: field.text().readOnly().filterable(['eq', 'in']).describe('The collection of the held action.'),
    object_id: field.text().readOnly().filterable(['eq', 'in']).describe('The object it acts on.'),
    action: field.text().readOnly().filterable(['eq', 'in']).describe('The held action (none when a run asked).'),
    input: field.json(z.record(z.string(), z.unknown())).readOnly().describe('What the action was given.'),
    requested_by: field.text().readOnly().filterable(['eq']).describe('The member, key or app that asked.'),
    approver_roles: field.tags().readOnly().filterable(['contains']),
    approver_user_ids: field.tags().readOnly().filterable(['contains']),
    decided_by: field.text().readOnly().describe('The member who approved or rejected it.'),
    decided_at: field.datetime().readOnly().sortable(),
    reason: field.text({ max: 1000 }).readOnly().describe('Why it was rejected.'),
    result: field
      .json(z.record(z.string(), z.unknown()))
      .readOnly()
      .describe('The object as the approved action left it.'),
  },
  endpoints: [
    {
      method: 'get',
      path: '/mine',
      operationId: 'listMyApprovals',
      summary: 'Pending approvals you may decide',
      description: 'Those whose policy names your role or you, and that you did not ask for; oldest first.',
      input: z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(50) }),
      answers: z.object({ object: z.literal('list'), data: z.array(componentRef('Approval')) }),
      async run({ input, ctx }) {
        const { userId, role } = ctx.principal;
        const approvals = ctx.registry.get('approvals');
        const rows = await ctx.tx.query({
          sql: `SELECT ${approvals.selectColumns.join(', ')} FROM approvals
                 WHERE account_id = $1 AND status = 'pending' AND requested_by IS DISTINCT FROM $2
                   AND ($2 = ANY (approver_user_ids) OR $3 = ANY (approver_roles))
                 ORDER BY created_at, id LIMIT $4`,
          parameters: [ctx.tx.accountId, userId ?? null, role ?? null, input.limit],
        });
        return { object: 'list', data: rows.map((row) => serialize(approvals, row)) };
      },
    },
  ],
  actions: {
    approve: {
      summary: 'Approve: the held action runs now (an asking run goes on)',
      description:
        'Runs the action as it was asked, in this transaction: if it fails now (the object moved on), the ' +
        'approval stays pending and the error says why.',
      from: ['pending'],
      to: 'approved',
      event: 'approved',
      apply: async ({ row, ctx }) => {
        const decidedBy = assertMayDecide(ctx, row);
        // Written by the gate with every member set; the row's type cannot say so.
        const held = row as Row;
        if (held.run_id) {
          resumeRun(ctx, held.run_id);
          return { decided_by: decidedBy, decided_at: ctx.now };
        }
        const resource = ctx.registry.get(held.collection);
        const done = await runActionInTransaction(
          { ...ctx, approvalId: held.id },
          resource,
          held.object_id,
          held.action,
          held.input,
        );
        return {
          decided_by: decidedBy,
          decided_at: ctx.now,
          result: done.response?.data ?? serialize(resource, done.row),
        };
      },
    },
    reject: {
      summary: 'Reject: the held action never runs (an asking run is cancelled)',
      from: ['pending'],
      to: 'rejected',
      event: 'rejected',
      input: z.strictObject({ reason: z.string().min(1).max(1000).optional() }),
      apply: async ({ row, input, ctx }) => {
        const decidedBy = assertMayDecide(ctx, row);
        if ((row as Row).run_id) await endRejectedRun(ctx, row as Row, decidedBy, input.reason ?? null);
        return { decided_by: decidedBy, decided_at: ctx.now, reason: input.reason ?? null };
      },
    },
  },
});
