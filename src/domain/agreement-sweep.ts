// The service agreement sweep: every round (one node of the group runs it), each agreement with
// work due, in the account's time zone, gets it done in a transaction of its own, on its locked and
// rechecked row: a term that is over renews (`auto_renew`) or expires, then the visits within
// `lead_days` become jobs. A round does a bounded amount per agreement, so an agreement starting
// years ago catches up over several rounds instead of holding one transaction for thousands of jobs.
import type { Logger } from 'pino';
import type { Row } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { serviceKey } from '../platform/api/service-key.ts';
import type { OperationContext, Runtime } from '../platform/contract.ts';
import { PeriodicSweep, type SweepOptions } from '../platform/jobs/periodic-job.ts';
import { loadRowOrThrow } from '../platform/operations/load-row.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import { accountPrincipal } from '../platform/operations/principal.ts';
import { generateVisits, scheduleOf } from './agreement-visits.ts';
import { lastVisitDay } from './service-agreements.ts';
import { addDays, dayIn, dueVisits } from './visit-dates.ts';

export interface AgreementSweepOptions {
  /** How often a round runs (one node per round); default 10 minutes. */
  everyMs?: number;
  /** Visits (and renewals) per agreement per round; default 50. */
  perRound?: number;
}

export interface AgreementSweepReport {
  /** Visits made into jobs. */
  generated: number;
  /** Of those, jobs left unassigned because the agreement's technician could not take them. */
  unassigned: number;
  renewed: number;
  expired: number;
}

interface Candidate {
  account_id: string;
  id: string;
  time_zone: string;
}

const PAGE = 500;

export class AgreementSweep extends PeriodicSweep {
  readonly #perRound: number;

  constructor(
    private readonly runtime: Runtime,
    private readonly logger: Logger,
    options: AgreementSweepOptions = {},
  ) {
    super(runtime.db, logger, { name: 'service-agreement-visits', everyMs: options.everyMs ?? 600_000 });
    this.#perRound = options.perRound ?? 50;
  }

  /** Sweeps every account's agreements (or only `accountIds`'s) as of `now`. Safe to run on several nodes at once. */
  async sweep({ now = Date.now(), accountIds }: SweepOptions = {}) {
    const report: AgreementSweepReport = { generated: 0, unassigned: 0, renewed: 0, expired: 0 };
    // No time zone is a day ahead of UTC: a wider net than any account's today, narrowed per agreement.
    const latestToday = addDays(new Date(now).toISOString().slice(0, 10), 1);
    let after = { account_id: '', id: '' };
    for (;;) {
      const page = await systemQuery<Candidate>(this.runtime.db, {
        sql: `SELECT s.account_id, s.id, coalesce(b.time_zone, 'UTC') AS time_zone
                FROM service_agreements s LEFT JOIN account_branding b ON b.account_id = s.account_id
               WHERE s.status IN ('active', 'paused')
                 AND (s.ends_on < $1::date
                      OR (s.status = 'active' AND s.next_visit_on <= $1::date + s.lead_days
                          AND (s.ends_on IS NULL OR s.next_visit_on <= s.ends_on)))
                 AND (s.account_id, s.id) > ($2, $3) ${accountIds ? 'AND s.account_id = ANY ($4::text[])' : ''}
               ORDER BY s.account_id, s.id LIMIT ${PAGE}`,
        parameters: [latestToday, after.account_id, after.id, accountIds ?? null],
      });
      for (const candidate of page) {
        try {
          await withTenantTransaction(this.runtime.db, candidate.account_id, (tx) =>
            this.#catchUp(
              createOperationContext(tx, accountPrincipal(candidate.account_id), this.runtime),
              candidate,
              dayIn(now, candidate.time_zone),
              report,
            ),
          );
        } catch (err) {
          // One agreement's failure (its customer deleted, a lock timeout) must not hold up the others.
          this.logger.warn({ err, agreement: candidate.id }, 'service agreement sweep failed; retried next round');
        }
      }
      if (page.length < PAGE) return report;
      after = page[page.length - 1];
    }
  }

  /** One agreement, locked and rechecked: another node, or staff, may have acted since the candidate was read. */
  async #catchUp(ctx: OperationContext, candidate: Candidate, today: string, report: AgreementSweepReport) {
    const agreements = ctx.registry.get('service-agreements');
    let row: Row = await loadRowOrThrow(ctx, agreements, candidate.id, { lock: true });
    // A term that is over renews or ends before any visit of the next one is made.
    for (let renewals = 0; row.ends_on !== null && row.ends_on < today && renewals < this.#perRound; renewals++) {
      if (!['active', 'paused'].includes(row.status)) return;
      if (!row.auto_renew) {
        await ctx.runAction(agreements.collection, row.id, 'expire');
        report.expired++;
        return;
      }
      row = await ctx.runAction(agreements.collection, row.id, 'renew');
      report.renewed++;
    }
    if (row.status !== 'active' || (row.ends_on !== null && row.ends_on < today)) return;
    const until = [addDays(today, row.lead_days), lastVisitDay(row)].sort()[0];
    const { visits, next } = dueVisits(scheduleOf(row), row.next_visit_on, until, this.#perRound);
    if (visits.length === 0) return;
    const made = await generateVisits(ctx, row, visits, candidate.time_zone);
    report.generated += made.generated;
    report.unassigned += made.unassigned;
    await ctx.update(agreements.collection, row.id, { next_visit_on: next });
  }
}

/** Makes agreements' visits into jobs ahead of time, and renews or expires their terms. */
export const agreementSweep = serviceKey<AgreementSweep>('the service agreement sweep');
