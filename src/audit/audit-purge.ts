// Retention of the audit trail, independent of the request log's: entries older than
// FIELDLINE_AUDIT_RETENTION_DAYS (default 365) are deleted hourly in small batches. The purge is
// the one writer the append-only trigger lets delete, by setting PURGE_SETTING for its own
// transaction only.
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { SqlStatement } from '../db/inline-parameters.ts';
import { systemTransaction } from '../db/system-query.ts';
import { PollingWorker } from '../platform/jobs/polling-worker.ts';
import { PURGE_SETTING } from './audit-log-resource.ts';

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    /** Days audit entries are kept (FIELDLINE_AUDIT_RETENTION_DAYS); default 365. */
    auditRetentionDays?: number;
  }
}

export const DEFAULT_AUDIT_RETENTION_DAYS = 365;

/**
 * The statement that lets the rest of its transaction delete audit entries: for the retention purge
 * and for erasing a closed account's data, nothing else.
 */
export const allowAuditPurge = (): SqlStatement => ({
  sql: `SELECT set_config('${PURGE_SETTING}', 'on', true)`,
  parameters: [],
});
const BATCH = 5_000;
const HOURLY = 3_600_000;

export class AuditPurge {
  readonly #worker: PollingWorker;

  constructor(
    private readonly db: Database,
    logger: Logger,
    readonly retentionDays = DEFAULT_AUDIT_RETENTION_DAYS,
  ) {
    this.#worker = new PollingWorker('audit log retention sweep', logger, HOURLY, () => this.sweep());
  }

  /** Sweeps at once, then hourly. */
  start(): void {
    this.#worker.start();
    this.#worker.nudge();
  }

  /** Waits for a sweep under way: the database is closed next. */
  stop(): Promise<void> {
    return this.#worker.stop();
  }

  /** Deletes the entries past the retention (of every account) now; answers how many went. */
  async sweep(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.retentionDays * 86_400_000).toISOString();
    let deleted = 0;
    for (;;) {
      const results = await systemTransaction(this.db, [
        allowAuditPurge(),
        {
          sql: `WITH gone AS (DELETE FROM audit_log WHERE ctid IN (
                  SELECT ctid FROM audit_log WHERE created_at < $1 LIMIT ${BATCH}) RETURNING 1)
                SELECT count(*)::int AS count FROM gone`,
          parameters: [before],
        },
      ]);
      const count = Number(results[1][0].count);
      deleted += count;
      if (count < BATCH) return deleted;
    }
  }
}
