// A job that runs every so often on one node of the group. Each node ticks on its own timer;
// the first to claim the round in `periodic_job_rounds` (an upsert that matches only once the
// interval has passed) runs it, the others skip. The claim saves work, it does not promise
// exactly-once: a node may stop mid-round, and the next round redoes what is left, so a job's
// steps must be safe to repeat (its rows are locked and rechecked, its sends recorded first).
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { systemQuery } from '../../db/system-query.ts';
import type { Lifecycle } from '../api/module.ts';

export interface PeriodicJobSpec {
  /** Names the round in periodic_job_rounds: one name, one schedule across the group. */
  name: string;
  everyMs: number;
  run(now: number): Promise<unknown>;
}

/** A round may start this much early (timers of different nodes drift), so no round is skipped. */
const EARLY_SHARE = 0.1;

export class PeriodicJob implements Lifecycle {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly spec: PeriodicJobSpec,
  ) {}

  start(): void {
    this.#timer = setInterval(() => {
      if (this.#running) return; // a slow round: the next tick claims again
      this.#running = this.runIfDue()
        .catch((err) => this.logger.warn({ err, job: this.spec.name }, 'periodic job failed; retried next round'))
        .finally(() => (this.#running = undefined));
    }, this.spec.everyMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** Runs the job when this node claims the round at `now`; false when another node has run it this interval. */
  async runIfDue(now = Date.now()): Promise<boolean> {
    const claimed = await systemQuery(this.db, {
      sql: `INSERT INTO periodic_job_rounds (name, started_at) VALUES ($1, $2)
            ON CONFLICT (name) DO UPDATE SET started_at = EXCLUDED.started_at
             WHERE periodic_job_rounds.started_at <= $3
            RETURNING name`,
      parameters: [
        this.spec.name,
        new Date(now).toISOString(),
        new Date(now - this.spec.everyMs * (1 - EARLY_SHARE)).toISOString(),
      ],
    });
    if (claimed.length === 0) return false;
    await this.spec.run(now);
    return true;
  }
}

/** What a sweep is asked: as of `now`, and only for `accountIds` when given (tests, a manual run). */
export interface SweepOptions {
  now?: number;
  accountIds?: readonly string[];
}

/**
 * A feature's sweep run as a periodic job (dunning, escalation, agreement visits, report
 * schedules): the subclass writes `sweep`; rounds, start and stop are this class's.
 */
export abstract class PeriodicSweep implements Lifecycle {
  /** The sweep's schedule: one node per round, every `everyMs`. */
  readonly schedule: PeriodicJob;

  constructor(db: Database, logger: Logger, spec: { name: string; everyMs: number }) {
    this.schedule = new PeriodicJob(db, logger, { ...spec, run: (now) => this.sweep({ now }) });
  }

  abstract sweep(options?: SweepOptions): Promise<unknown>;

  start(): void {
    this.schedule.start();
  }

  stop(): Promise<void> {
    return this.schedule.stop();
  }
}
