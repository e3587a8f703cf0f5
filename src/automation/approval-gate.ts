// The gate approval policies keep on the actions they can hold: inside the action's transaction,
// before it runs, the first enabled policy whose conditions hold makes an approval (or finds the
// one already pending for that object and action), tells its approvers, and answers with it.
// A run's `request_approval` step opens one the same way (run-approvals.ts).
import { newId } from '../platform/ids.ts';
import { insertRow } from '../platform/operations/row-statements.ts';
import { serialize } from '../platform/operations/serialize.ts';
import type { ActionGate, OperationContext } from '../platform/contract.ts';
import type { Row } from '../db/database.ts';
import { activeMembersNamed, notifyMember } from '../delivery/notify/notify-member.ts';
import { conditionHolds, type Condition, type RunScope } from './conditions.ts';
import { HOLDABLE_ACTIONS } from './approval-policies.ts';

/** Who asked: the member, else the key, app or rule. */
const requester = ({ principal }: OperationContext) =>
  principal.userId ?? principal.keyId ?? principal.oauthClientId ?? principal.automationRuleId ?? null;

/** Writes a pending approval, emits `approval.requested` and tells its approvers; answers it. */
export async function openApproval(ctx: OperationContext, fields: Row, summary: string): Promise<Row> {
  const approvals = ctx.registry.get('approvals');
  const approval: Row = {
    id: newId(approvals.idPrefix),
    status: 'pending',
    requested_by: requester(ctx),
    summary,
    ...fields,
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  ctx.tx.defer(insertRow(approvals, ctx.tx.accountId, approval));
  const answer = serialize(approvals, approval);
  ctx.emit('approval.requested', answer);
  await tellApprovers(ctx, approval, summary);
  return answer;
}

async function tellApprovers(ctx: OperationContext, approval: Row, summary: string): Promise<void> {
  for (const id of await activeMembersNamed(ctx, approval.approver_user_ids, approval.approver_roles))
    if (id !== approval.requested_by)
      await notifyMember(ctx, {
        userId: id,
        kind: 'approval_requested',
        category: 'system',
        title: 'Approval requested',
        body: summary,
        about: { collection: 'approvals', id: approval.id },
      });
}

export const approvalGate: ActionGate = {
  name: 'an approval',
  answersWith: 'Approval',
  actions: Object.entries(HOLDABLE_ACTIONS).flatMap(([collection, actions]) =>
    actions.map((action) => ({ collection, action })),
  ),
  async hold(ctx, { resource, row, action, input }) {
    const approvals = ctx.registry.get('approvals');
    const policies = await ctx.tx.query({
      sql: `SELECT * FROM approval_policies WHERE account_id = $1 AND collection = $2 AND action = $3
               AND enabled AND deleted_at IS NULL ORDER BY created_at, id`,
      parameters: [ctx.tx.accountId, resource.collection, action],
    });
    const object = serialize(resource, row);
    const scope = { event: { id: '', type: `${resource.name}.${action}` }, object, previous: {}, record: null, input };
    const policy = policies.find((p) => conditionHolds(p.conditions as Condition | null, scope as RunScope));
    if (!policy) return null;
    const [pending] = await ctx.tx.query({
      sql: `SELECT ${approvals.selectColumns.join(', ')} FROM approvals
             WHERE account_id = $1 AND collection = $2 AND object_id = $3 AND action = $4 AND status = 'pending'`,
      parameters: [ctx.tx.accountId, resource.collection, row.id, action],
    });
    if (pending) return serialize(approvals, pending);
    return openApproval(
      ctx,
      {
        policy_id: policy.id,
        collection: resource.collection,
        object_id: row.id,
        action,
        input: input ?? {},
        approver_roles: policy.approver_roles,
        approver_user_ids: policy.approver_user_ids,
      },
      `${policy.name}: ${action} ${resource.name} ${row.id}`,
    );
  },
};
