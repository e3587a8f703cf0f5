// The report worker: makes queued reports, one at a time per node, on the polling loop the
// outboxes use. A report is claimed in the database (FOR UPDATE SKIP LOCKED: one node each) with
// a lease; a node that dies mid-report lets go when the lease ends, and the next drain anywhere
// makes it again (a report tried MAX_ATTEMPTS times fails). The rows are read through a cursor in
// one tenant transaction and written to the file storage as they come. Files past `expires_at`
// are removed.
import type { Logger } from 'pino';
import type { Row } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import type { Lifecycle } from '../platform/api/module.ts';
import { serviceKey } from '../platform/api/service-key.ts';
import type { Runtime } from '../platform/contract.ts';
import { PollingWorker } from '../platform/jobs/polling-worker.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import { lockRowOrThrow } from '../platform/operations/load-row.ts';
import { accountPrincipal } from '../platform/operations/principal.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { fileStorage } from '../storage/storage-module.ts';
import { writeReport, type ClaimedReport } from './write-report.ts';
import { reportStorageKey } from './report-formats.ts';
import { ReportTooLargeError } from './pdf-writer.ts';
import { mailScheduledReport } from './scheduled-mail.ts';

export interface ReportWorkerOptions {
  /** How often a node looks for queued reports (they are also started when asked); default 5 s. */
  intervalMs?: number;
  /** How long a claim holds before another node may take the report over; default 30 minutes. */
  leaseMs?: number;
  /** How long a file is kept; default 7 days. */
  keepMs?: number;
  /** The most rows a PDF report may have (it fails beyond); default 20,000, about 500 pages. */
  pdfMaxRows?: number;
}

export const MAX_ATTEMPTS = 3;

export class ReportWorker implements Lifecycle {
  readonly #worker: PollingWorker;
  readonly #leaseMs: number;
  readonly #keepMs: number;
  readonly #pdfMaxRows: number | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly logger: Logger,
    options: ReportWorkerOptions = {},
  ) {
    this.#leaseMs = options.leaseMs ?? 30 * 60_000;
    this.#keepMs = options.keepMs ?? 7 * 86_400_000;
    this.#pdfMaxRows = options.pdfMaxRows;
    this.#worker = new PollingWorker('report worker', logger, options.intervalMs ?? 5_000, () =>
      this.#drain(Date.now(), null),
    );
  }

  start(): void {
    this.#worker.start();
  }

  stop(): Promise<void> {
    return this.#worker.stop();
  }

  /** Starts a drain in the background (a report was just asked for), if the loop runs. */
  nudge(): void {
    this.#worker.nudge();
  }

  /** Makes every report due at `now` (of `accountIds` only, when given); answers how many finished. */
  run(now = Date.now(), accountIds?: readonly string[]): Promise<number> {
    return this.#worker.run(() => this.#drain(now, accountIds ?? null));
  }

  /** Claims one report for this node: a queued one, or one whose node let its lease run out. */
  claim(now: number, accountIds: readonly string[] | null): Promise<ClaimedReport[]> {
    return systemQuery<ClaimedReport>(this.runtime.db, {
      sql: `UPDATE reports SET status = 'running', attempts = attempts + 1, started_at = $1,
                   lease_expires_at = $2, updated_at = $1
             WHERE id = (SELECT id FROM reports
                          WHERE (status = 'queued' OR (status = 'running' AND lease_expires_at < $1))
                            AND ($3::text[] IS NULL OR account_id = ANY ($3::text[]))
                          ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING account_id, id, type, params, format, attempts`,
      parameters: [new Date(now).toISOString(), new Date(now + this.#leaseMs).toISOString(), accountIds],
    });
  }

  async #drain(now: number, accountIds: readonly string[] | null): Promise<number> {
    await this.#removeExpired(now, accountIds);
    let finished = 0;
    const next = async () => (this.#worker.stopping ? [] : await this.claim(now, accountIds)); // none once stopping
    for (let [report] = await next(); report; [report] = await next()) {
      if (report.attempts > MAX_ATTEMPTS) {
        await this.#finish(report, { status: 'failed', error: `Gave up after ${MAX_ATTEMPTS} tries cut short` });
      } else {
        try {
          const made = await writeReport(this.runtime, report, now, this.#pdfMaxRows);
          await this.#finish(report, {
            status: 'succeeded',
            row_count: made.rows,
            bytes: made.bytes,
            expires_at: new Date(Date.now() + this.#keepMs).toISOString(),
          });
        } catch (err) {
          // Our own refusals are the report's error; anything else stays in the log (no SQL in answers).
          const known = err instanceof ReportTooLargeError;
          if (!known) this.logger.error({ err, report: report.id }, 'report failed');
          await this.#finish(report, {
            status: 'failed',
            error: known ? err.message : 'The report could not be made (an internal error); ask for it again',
          });
        }
      }
      finished++;
    }
    return finished;
  }

  /** Records the outcome and its event, unless another node took the report over meanwhile. */
  async #finish(report: ClaimedReport, outcome: Row): Promise<void> {
    await withTenantTransaction(this.runtime.db, report.account_id, async (tx) => {
      const ctx = createOperationContext(tx, accountPrincipal(report.account_id), this.runtime);
      const resource = ctx.registry.get('reports');
      const row = await lockRowOrThrow(ctx, resource, report.id);
      if (row.status !== 'running' || row.attempts !== report.attempts) return;
      const done = await ctx.update('reports', report.id, { ...outcome, finished_at: ctx.now });
      tx.defer({
        sql: 'UPDATE reports SET lease_expires_at = NULL WHERE account_id = $1 AND id = $2',
        parameters: [report.account_id, report.id],
      });
      ctx.emit(`report.${outcome.status}`, serialize(resource, done));
      await mailScheduledReport(ctx, done);
    });
  }

  /** Removes the files of reports past `expires_at`, each once (`file_removed_at` marks it). */
  async #removeExpired(now: number, accountIds: readonly string[] | null): Promise<void> {
    const expired = await systemQuery<{ account_id: string; id: string }>(this.runtime.db, {
      sql: `UPDATE reports SET lease_expires_at = NULL, file_removed_at = $1
             WHERE status = 'succeeded' AND expires_at < $1 AND file_removed_at IS NULL
               AND ($2::text[] IS NULL OR account_id = ANY ($2::text[]))
            RETURNING account_id, id`,
      parameters: [new Date(now).toISOString(), accountIds],
    });
    const storage = this.runtime.use(fileStorage);
    for (const report of expired) await storage.delete(reportStorageKey(report.account_id, report.id));
  }
}

/** Makes reports in the background. */
export const reportWorkerKey = serviceKey<ReportWorker>('the report worker');
