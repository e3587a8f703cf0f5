// What Stripe Billing needs done on a schedule (one node per round): overage reported to Stripe,
// and accounts past due longer than the grace period (FIELDLINE_BILLING_GRACE_DAYS) suspended the
// way an operator suspends (every credential refused at once, on every node), audited as the system.
import { systemQuery } from '../db/system-query.ts';
import { auditStatement } from '../audit/record-audit.ts';
import { SYSTEM_ACTOR } from '../audit/actor.ts';
import { commitAccountChange, statusUpdate } from '../platform-admin/account-status-change.ts';
import { PeriodicJob } from '../platform/jobs/periodic-job.ts';
import type { Runtime } from '../platform/contract.ts';
import type { StripeBilling } from './stripe-billing.ts';

const DAY_MS = 24 * 60 * 60_000;
/** How often the cycle runs. */
const EVERY_MS = 10 * 60_000;

export class BillingCycle {
  readonly #job: PeriodicJob;

  constructor(
    private readonly runtime: Runtime,
    private readonly stripe: StripeBilling,
  ) {
    this.#job = new PeriodicJob(runtime.db, runtime.logger, {
      name: 'stripe-billing-cycle',
      everyMs: EVERY_MS,
      run: async (now) => {
        await this.stripe.reportUsage(now);
        await this.suspendPastDue(now);
      },
    });
  }

  start(): void {
    this.#job.start();
  }

  stop(): Promise<void> {
    return this.#job.stop();
  }

  /** Suspends every active account past due since before the grace period began; answers their ids. */
  async suspendPastDue(now = Date.now()): Promise<string[]> {
    const since = new Date(now - this.stripe.settings.graceDays * DAY_MS).toISOString();
    const rows = await systemQuery(this.runtime.db, {
      sql: `SELECT s.account_id, s.past_due_since FROM billing_subscriptions s JOIN accounts a ON a.id = s.account_id
             WHERE s.status = 'past_due' AND s.past_due_since <= $1 AND a.status = 'active' ORDER BY s.account_id`,
      parameters: [since],
    });
    for (const row of rows) {
      await commitAccountChange(this.runtime, row.account_id, [
        ...statusUpdate(row.account_id, 'suspended'),
        // now() is the transaction's instant, the status change's own (accounts.status_changed_at).
        {
          sql: 'UPDATE billing_subscriptions SET suspended_at = now() WHERE account_id = $1',
          parameters: [row.account_id],
        },
        auditStatement(row.account_id, {
          action: 'subscription.suspended',
          actor: SYSTEM_ACTOR,
          resourceType: 'subscription',
          resourceId: row.account_id,
          changes: {
            status: { from: 'active', to: 'suspended' },
            past_due_since: new Date(row.past_due_since).toISOString(),
          },
        }),
      ]);
    }
    return rows.map((row) => row.account_id);
  }
}
