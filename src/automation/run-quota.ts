// Automation runs count against the account's plan, like requests and webhook deliveries: each
// run queued to act takes one from the month's quota. Past it, a rule's run is still recorded,
// failed and saying why (the account sees what it missed, and nothing acts); a workflow started
// by hand is refused with 429 instead. Runs that make no run of actions (skipped, looping) are free.
import type { TenantTransaction } from '../db/tenant-transaction.ts';
import type { Runtime } from '../platform/contract.ts';
import { ApiError } from '../platform/errors.ts';
import { automationRunQuota } from '../limits/limits-services.ts';
import { planFromRow, planOfAccountSql, type PlanRow } from '../billing/plan-rows.ts';
import type { QuotaState } from '../limits/monthly-quota.ts';

const usedUp = (plan: string, state: QuotaState) =>
  `the '${plan}' plan's ${state.limit} automation runs for ${state.period} are used up; ` +
  'the count starts again at the start of next month (UTC)';

/** The runs as they may be made: queued ones past the quota become failed runs that say why. */
export async function chargeRuns<R extends { status: string; error?: string | null }>(
  runtime: Runtime,
  tx: TenantTransaction,
  runs: readonly R[],
  { refuse = false }: { refuse?: boolean } = {},
): Promise<R[]> {
  if (!runs.some((run) => run.status === 'queued')) return [...runs];
  const quota = runtime.use(automationRunQuota);
  const [account] = await tx.query<{ plan_row: PlanRow }>({
    sql: `SELECT ${planOfAccountSql('a')} AS plan_row FROM accounts a WHERE a.id = $1`,
    parameters: [tx.accountId],
  });
  const plan = planFromRow(account?.plan_row);
  return runs.map((run) => {
    if (run.status !== 'queued') return run;
    const taken = quota.take(tx.accountId, plan);
    if (taken.allowed) return run;
    if (refuse)
      throw new ApiError('quota_exceeded', `Not started: ${usedUp(plan.name, taken.state)}.`, {
        headers: { 'Retry-After': String(taken.state.resetSeconds) },
      });
    return { ...run, status: 'failed' as const, error: `not run: ${usedUp(plan.name, taken.state)}` };
  });
}
