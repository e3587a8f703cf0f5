// The report schedule sweep: every round (one node of the group runs it), each enabled schedule
// whose next run has come makes its report, in a transaction of its own on its locked and
// rechecked row: the run is claimed in report_schedule_runs by its local day (so it happens once
// per period, however many nodes sweep and however often), the report is queued for the report
// worker, and the next run is set. A server that was down for several periods makes only the
// latest period's report.
import type { Logger } from 'pino';
import { systemQuery } from '../db/system-query.ts';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { loadBranding } from '../delivery/branding.ts';
import { serviceKey } from '../platform/api/service-key.ts';
import type { OperationContext, Runtime } from '../platform/contract.ts';
import { PeriodicSweep, type SweepOptions } from '../platform/jobs/periodic-job.ts';
import { loadRowOrThrow } from '../platform/operations/load-row.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import { accountPrincipal } from '../platform/operations/principal.ts';
import { isRanged } from './report-schedules.ts';
import { localDay, nextRun, periodBefore, type Cadence } from './schedule-calendar.ts';

const PAGE = 500;

export class ScheduleSweep extends PeriodicSweep {
  constructor(
    private readonly runtime: Runtime,
    private readonly logger: Logger,
    everyMs = 300_000,
  ) {
    super(runtime.db, logger, { name: 'report-schedules', everyMs });
  }

  /** Runs every due schedule (of `accountIds` only, when given) as of `now`; answers the reports made. */
  async sweep({ now = Date.now(), accountIds }: SweepOptions = {}) {
    const made: string[] = [];
    let after = { account_id: '', id: '' };
    for (;;) {
      const page = await systemQuery<{ account_id: string; id: string }>(this.runtime.db, {
        sql: `SELECT account_id, id FROM report_schedules
               WHERE enabled AND next_run_at <= $1 AND (account_id, id) > ($2, $3)
                 ${accountIds ? 'AND account_id = ANY ($4::text[])' : ''}
               ORDER BY account_id, id LIMIT ${PAGE}`,
        parameters: [new Date(now).toISOString(), after.account_id, after.id, accountIds ?? null],
      });
      for (const { account_id, id } of page) {
        try {
          const report = await withTenantTransaction(this.runtime.db, account_id, (tx) =>
            this.#run(createOperationContext(tx, accountPrincipal(account_id), this.runtime), id, now),
          );
          if (report) made.push(report);
        } catch (err) {
          // One schedule's failure must not hold up the others; the next round tries it again.
          this.logger.warn({ err, schedule: id }, 'report schedule failed; retried next round');
        }
      }
      if (page.length < PAGE) return made;
      after = page[page.length - 1];
    }
  }

  /** One schedule, locked and rechecked (staff may have changed it since the candidate was read). */
  async #run(ctx: OperationContext, id: string, now: number): Promise<string | null> {
    const schedule = await loadRowOrThrow(ctx, ctx.registry.get('report-schedules'), id, { lock: true });
    if (!schedule.enabled || !schedule.next_run_at || Date.parse(schedule.next_run_at) > now) return null;
    const { time_zone } = await loadBranding(ctx.tx);
    const cadence = schedule as Cadence;
    const runOn = localDay(Date.parse(schedule.next_run_at), time_zone);
    const next = new Date(nextRun(cadence, now, time_zone).at).toISOString();
    const params = isRanged(schedule.type) ? { ...schedule.params, ...periodBefore(cadence, runOn) } : schedule.params;
    const [ran] = await ctx.tx.query({
      sql: 'SELECT report_id FROM report_schedule_runs WHERE account_id = $1 AND schedule_id = $2 AND run_on = $3',
      parameters: [ctx.tx.accountId, id, runOn],
    });
    // Already run for that day (the account's time zone moved the day back): only the next run is set.
    if (ran) {
      await ctx.update('report-schedules', id, { next_run_at: next });
      return null;
    }
    const report = await ctx.create('reports', { type: schedule.type, format: schedule.format, params });
    // Keyed by (schedule, day): with the row locked no other sweep gets here, and the key holds if one did.
    ctx.tx.defer({
      sql: `INSERT INTO report_schedule_runs (account_id, schedule_id, run_on, report_id, created_at)
            VALUES ($1, $2, $3, $4, $5)`,
      parameters: [ctx.tx.accountId, id, runOn, report.id, ctx.now],
    });
    await ctx.update('report-schedules', id, { next_run_at: next, last_run_on: runOn, last_report_id: report.id });
    return report.id as string;
  }
}

/** Makes the reports of schedules whose time has come. */
export const scheduleSweepKey = serviceKey<ScheduleSweep>('the report schedule sweep');
