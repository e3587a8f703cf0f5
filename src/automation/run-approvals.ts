// Approvals a run asks for (its `request_approval` step): the run waits, with no time to wake
// (no worker claims it), until a member decides. Approving wakes it at its next step; rejecting
// ends it, cancelled; cancelling the run withdraws what it asked. Each change is made in the
// decision's own transaction, so a decision and its effect on the run commit together.
import { ApiError } from '../platform/errors.ts';
import { serialize } from '../platform/operations/serialize.ts';
import type { OperationContext } from '../platform/contract.ts';
import type { Row } from '../db/database.ts';
import { activeMembersNamed } from '../delivery/notify/notify-member.ts';
import { openApproval } from './approval-gate.ts';

export interface ApprovalRequest {
  runId: string;
  /** The run's object, else the run itself. */
  about: { collection: string; id: string };
  userIds: string[];
  roles: string[];
  summary: string;
}

/** Opens the run's approval; refused when no active member could decide it (the run would wait forever). */
export async function requestRunApproval(ctx: OperationContext, request: ApprovalRequest): Promise<Row> {
  if (!(await activeMembersNamed(ctx, request.userIds, request.roles)).length)
    throw new ApiError('conflict', 'No active member has the roles or ids this approval names: no one could decide');
  return openApproval(
    ctx,
    {
      policy_id: null,
      run_id: request.runId,
      collection: request.about.collection,
      object_id: request.about.id,
      action: null,
      input: {},
      approver_roles: request.roles,
      approver_user_ids: request.userIds,
    },
    request.summary,
  );
}

/** Approved: the run goes on at its next step, within a round. */
export function resumeRun(ctx: OperationContext, runId: string): void {
  ctx.tx.defer({
    sql: `UPDATE automation_runs SET run_after = $3, updated_at = $3
           WHERE account_id = $1 AND id = $2 AND status = 'waiting' AND run_after IS NULL`,
    parameters: [ctx.tx.accountId, runId, ctx.now],
  });
}

/** Rejected: the run ends, cancelled, saying by whom and why. */
export async function endRejectedRun(ctx: OperationContext, approval: Row, by: string, reason: string | null) {
  const error = `approval ${approval.id} rejected by ${by}` + (reason ? `: ${reason}` : '');
  const [run] = await ctx.tx.query({
    sql: `UPDATE automation_runs SET status = 'cancelled', finished_at = $3, updated_at = $3, run_after = NULL,
                 error = $4
           WHERE account_id = $1 AND id = $2 AND status = 'waiting' RETURNING *`,
    parameters: [ctx.tx.accountId, approval.run_id, ctx.now, error],
  });
  if (run) ctx.emit('automation_run.cancelled', serialize(ctx.registry.get('automation-runs'), run));
}

/** A run cancelled: what it asked for is no longer to decide. */
export function withdrawRunApprovals(ctx: OperationContext, runId: string): void {
  ctx.tx.defer({
    sql: `UPDATE approvals SET status = 'cancelled', updated_at = $3
           WHERE account_id = $1 AND run_id = $2 AND status = 'pending'`,
    parameters: [ctx.tx.accountId, runId, ctx.now],
  });
}
