// The SLA sweep: open tickets past their due time are escalated, once, through the tickets'
// own `escalate` action, so each is a `ticket.escalated` event (its assignee, owners and admins
// are told; rules on the event can reassign it or do more). Tickets are taken locked, skipping
// those another node holds, and the action refuses a second escalation: a ticket is escalated
// once however many nodes sweep.
import type { Logger } from 'pino';
import { systemQuery } from '../db/system-query.ts';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { accountPrincipal } from '../platform/operations/principal.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import type { Runtime } from '../platform/contract.ts';
import { PeriodicSweep, type SweepOptions } from '../platform/jobs/periodic-job.ts';

/** Tickets escalated per account in one transaction; the rest come in the same sweep's next pass. */
const BATCH = 200;
export const SLA_MISSED = 'The SLA was missed: still open past its due time.';

export class TicketEscalation extends PeriodicSweep {
  constructor(
    private readonly runtime: Runtime,
    private readonly logger: Logger,
    everyMs = 60_000,
  ) {
    super(runtime.db, logger, { name: 'ticket-escalation', everyMs });
  }

  /** Escalates every account's (or only `accountIds`') overdue open tickets as of `now`; answers how many. */
  async sweep({ now = Date.now(), accountIds }: SweepOptions = {}) {
    const at = new Date(now).toISOString();
    const accounts = await systemQuery<{ account_id: string }>(this.runtime.db, {
      sql: `SELECT DISTINCT account_id FROM tickets
             WHERE status = 'open' AND escalated_at IS NULL AND deleted_at IS NULL AND due_at < $1
               AND ($2::text[] IS NULL OR account_id = ANY ($2::text[]))`,
      parameters: [at, accountIds ?? null],
    });
    let escalated = 0;
    for (const { account_id: accountId } of accounts) {
      try {
        for (let done = BATCH; done === BATCH; escalated += done) done = await this.#escalate(accountId, at);
      } catch (err) {
        // One account's failure must not hold up the others; the next sweep retries it.
        this.logger.warn({ err, account: accountId }, 'ticket escalation failed for an account');
      }
    }
    return { escalated };
  }

  #escalate(accountId: string, at: string): Promise<number> {
    return withTenantTransaction(this.runtime.db, accountId, async (tx) => {
      const due = await tx.query<{ id: string }>({
        sql: `SELECT id FROM tickets WHERE account_id = $1 AND status = 'open' AND escalated_at IS NULL
                 AND deleted_at IS NULL AND due_at < $2
               ORDER BY due_at, id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        parameters: [accountId, at],
      });
      const ctx = createOperationContext(tx, accountPrincipal(accountId), this.runtime);
      for (const { id } of due) await ctx.runAction('tickets', id, 'escalate', { reason: SLA_MISSED });
      return due.length;
    });
  }
}
