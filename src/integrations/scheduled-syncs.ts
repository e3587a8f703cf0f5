// Every connected integration syncs on its own every so often (IntegrationSettings.syncIntervalMs,
// default 15 minutes): one node per round queues a `scheduled` run of each kind of sync for the
// integrations whose last sync is older than that; the sync runner does the rest.
import { systemQuery } from '../db/system-query.ts';
import { PeriodicJob } from '../platform/jobs/periodic-job.ts';
import { serviceKey } from '../platform/api/service-key.ts';
import type { Lifecycle } from '../platform/api/module.ts';
import type { Runtime } from '../platform/contract.ts';
import { connectorOf } from './connectors.ts';
import { integrationSettings } from './integration-settings.ts';
import { queueSync } from './sync-runner.ts';

export const DEFAULT_SYNC_INTERVAL_MS = 15 * 60_000;

export class ScheduledSyncs implements Lifecycle {
  readonly #job: PeriodicJob;
  readonly #everyMs: number;

  constructor(private readonly runtime: Runtime) {
    this.#everyMs = integrationSettings(runtime).syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS;
    this.#job = new PeriodicJob(runtime.db, runtime.logger, {
      name: 'integration-syncs',
      everyMs: this.#everyMs,
      run: (now) => this.queueDue(now),
    });
  }

  start(): void {
    this.#job.start();
  }

  stop(): Promise<void> {
    return this.#job.stop();
  }

  /** Queues the runs due at `now` (of `accountIds` only, when given); answers how many were queued. */
  async queueDue(now = Date.now(), scope: { accountIds?: readonly string[] } = {}): Promise<number> {
    const due = await systemQuery(this.runtime.db, {
      sql: `SELECT account_id, id, provider, member_id FROM integrations
             WHERE status = 'connected' AND (last_sync_at IS NULL OR last_sync_at <= $1)
               AND ($2::text[] IS NULL OR account_id = ANY($2::text[]))
             ORDER BY id LIMIT 1000`,
      parameters: [new Date(now - this.#everyMs).toISOString(), scope.accountIds ?? null],
    });
    let queued = 0;
    for (const integration of due) {
      const connector = connectorOf(integration.provider);
      for (const kind of Object.keys(connector?.syncs ?? {})) {
        const run = await queueSync(
          this.runtime,
          integration.account_id,
          integration.id,
          connector!,
          kind,
          'scheduled',
          integration.member_id ?? null,
        );
        if (run.queued) queued++;
      }
    }
    return queued;
  }
}

export const scheduledSyncs = serviceKey<ScheduledSyncs>('scheduled integration syncs');
