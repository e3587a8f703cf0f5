// The inbound log and its receipts are kept as long as the request log (default 30 days, far
// past any provider's retry window), then deleted hourly in small batches.
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';

const BATCH = 5_000;

export class InboundLogRetention {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    readonly retentionDays = 30,
  ) {}

  start(): void {
    const sweep = () => this.sweep().catch((err) => this.logger.warn({ err }, 'inbound log retention sweep failed'));
    void sweep();
    this.#timer = setInterval(sweep, 3_600_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
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
