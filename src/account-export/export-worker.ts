// The export worker: writes queued account archives, one at a time per node, on the polling loop
// the report worker uses. An export is claimed in the database (FOR UPDATE SKIP LOCKED: one node
// each) with a lease; a node that dies mid-archive lets go when the lease ends and the next drain
// anywhere writes it again (an export tried MAX_ATTEMPTS times fails). Archives past `expires_at`
// are removed from the file storage.
import type { Logger } from 'pino';
import { systemQuery } from '../db/system-query.ts';
import type { Lifecycle } from '../platform/api/module.ts';
import { serviceKey } from '../platform/api/service-key.ts';
import type { Runtime } from '../platform/contract.ts';
import { PollingWorker } from '../platform/jobs/polling-worker.ts';
import { fileStorage } from '../storage/storage-module.ts';
import { exportStorageKey } from './account-files.ts';
import { writeArchive, type ClaimedExport } from './write-archive.ts';
import { ArchiveTooLargeError } from './streaming-zip.ts';

export interface ExportWorkerOptions {
  /** How often a node looks for queued exports (they are also started when asked); default 5 s. */
  intervalMs?: number;
  /** How long a claim holds before another node may take the export over; default 2 hours. */
  leaseMs?: number;
  /** How long an archive is kept; default 7 days. */
  keepMs?: number;
}

export const MAX_ATTEMPTS = 3;

export class ExportWorker implements Lifecycle {
  readonly #worker: PollingWorker;
  readonly #leaseMs: number;
  readonly #keepMs: number;

  constructor(
    private readonly runtime: Runtime,
    private readonly logger: Logger,
    options: ExportWorkerOptions = {},
  ) {
    this.#leaseMs = options.leaseMs ?? 2 * 3_600_000;
    this.#keepMs = options.keepMs ?? 7 * 86_400_000;
    this.#worker = new PollingWorker('account export worker', logger, options.intervalMs ?? 5_000, () =>
      this.#drain(Date.now(), null),
    );
  }

  start(): void {
    this.#worker.start();
  }

  stop(): Promise<void> {
    return this.#worker.stop();
  }

  /** Starts a drain in the background (an export was just asked for), if the loop runs. */
  nudge(): void {
    this.#worker.nudge();
  }

  /** Writes every export due at `now` (of `accountIds` only, when given); answers how many finished. */
  run(now = Date.now(), accountIds?: readonly string[]): Promise<number> {
    return this.#worker.run(() => this.#drain(now, accountIds ?? null));
  }

  /** Claims one export for this node: a queued one, or one whose node let its lease run out. */
  #claim(now: number, accountIds: readonly string[] | null): Promise<ClaimedExport[]> {
    return systemQuery<ClaimedExport>(this.runtime.db, {
      sql: `UPDATE account_exports SET status = 'running', attempts = attempts + 1, started_at = $1,
                   lease_expires_at = $2, updated_at = $1
             WHERE id = (SELECT id FROM account_exports
                          WHERE (status = 'queued' OR (status = 'running' AND lease_expires_at < $1))
                            AND ($3::text[] IS NULL OR account_id = ANY ($3::text[]))
                          ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING account_id, id, attempts`,
      parameters: [new Date(now).toISOString(), new Date(now + this.#leaseMs).toISOString(), accountIds],
    });
  }

  async #drain(now: number, accountIds: readonly string[] | null): Promise<number> {
    await this.#removeExpired(now, accountIds);
    let finished = 0;
    const next = async () => (this.#worker.stopping ? [] : await this.#claim(now, accountIds));
    for (let [claimed] = await next(); claimed; [claimed] = await next()) {
      if (claimed.attempts > MAX_ATTEMPTS) {
        await this.#finish(claimed, { status: 'failed', error: `Gave up after ${MAX_ATTEMPTS} tries cut short` });
      } else {
        try {
          const made = await writeArchive(this.runtime, claimed, new Date(now));
          await this.#finish(claimed, {
            status: 'succeeded',
            counts: JSON.stringify(made.counts),
            file_count: made.files,
            bytes: made.bytes,
            expires_at: new Date(Date.now() + this.#keepMs).toISOString(),
          });
        } catch (err) {
          // Our own refusals are the export's error; anything else stays in the log (no SQL or paths in answers).
          const known = err instanceof ArchiveTooLargeError;
          if (!known) this.logger.error({ err, export: claimed.id }, 'account export failed');
          await this.#finish(claimed, {
            status: 'failed',
            error: known ? err.message : 'The archive could not be made (an internal error); ask for another',
          });
        }
      }
      finished++;
    }
    return finished;
  }

  /** Records the outcome, unless another node took the export over meanwhile. */
  async #finish(claimed: ClaimedExport, outcome: Record<string, unknown>): Promise<void> {
    const names = Object.keys(outcome);
    await systemQuery(this.runtime.db, {
      sql: `UPDATE account_exports
               SET ${names.map((name, i) => `${name} = $${i + 4}${name === 'counts' ? '::jsonb' : ''}`).join(', ')},
                   finished_at = $3, updated_at = $3, lease_expires_at = NULL
             WHERE account_id = $1 AND id = $2 AND status = 'running' AND attempts = ${Number(claimed.attempts)}`,
      parameters: [claimed.account_id, claimed.id, new Date().toISOString(), ...Object.values(outcome)],
    });
  }

  /** Removes the archives past `expires_at`, each once (`file_removed_at` marks it). */
  async #removeExpired(now: number, accountIds: readonly string[] | null): Promise<void> {
    const expired = await systemQuery<{ account_id: string; id: string }>(this.runtime.db, {
      sql: `UPDATE account_exports SET file_removed_at = $1
             WHERE status = 'succeeded' AND expires_at < $1 AND file_removed_at IS NULL
               AND ($2::text[] IS NULL OR account_id = ANY ($2::text[]))
            RETURNING account_id, id`,
      parameters: [new Date(now).toISOString(), accountIds],
    });
    const storage = this.runtime.use(fileStorage);
    for (const row of expired) await storage.delete(exportStorageKey(row.account_id, row.id));
  }
}

/** Writes account archives in the background. */
export const exportWorkerKey = serviceKey<ExportWorker>('the account export worker');
