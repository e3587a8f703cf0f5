// The inbound log and its receipts are kept as long as the request log (default 30 days, far
// past any provider's retry window), then deleted hourly in small batches.
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import { PollingWorker } from '../platform/jobs/polling-worker.ts';

const BATCH = 5_000;

export class InboundLogRetention {
  readonly #worker: PollingWorker;

  constructor(
    private readonly db: Database,
    logger: Logger,
    readonly retentionDays = 30,
  ) {
    this.#worker = new PollingWorker('inbound log retention sweep', logger, 3_600_000, () => this.sweep());
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

  /** Deletes what is past the retention now; answers how many log entries went. */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (const table of ['inbound_requests', 'inbound_receipts']) {
      for (;;) {
        const [{ count }] = await systemQuery(this.db, {
          sql: `WITH gone AS (DELETE FROM ${table} WHERE ctid IN (
                  SELECT ctid FROM ${table} WHERE created_at < now() - make_interval(days => $1) LIMIT ${BATCH})
                  RETURNING 1)
                SELECT count(*)::int AS count FROM gone`,
          parameters: [this.retentionDays],
        });
        if (table === 'inbound_requests') deleted += count;
        if (count < BATCH) break;
      }
    }
    return deleted;
  }
}
