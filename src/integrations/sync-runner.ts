// Runs connectors' syncs on the shared PostgreSQL job runner: `integration_syncs` rows are the
// queue. A worker claims a due run (FOR UPDATE SKIP LOCKED, with a lease it extends after each
// page), then steps the connector page by page: the step fetches outside any transaction, and
// its writes, the cursor and the run's counts commit together in one tenant transaction. So a
// node that dies mid-run leaves the run `running` with a lapsed lease, and the next worker
// resumes it at the last committed page: no duplicates, no gaps.
//   429 (Retry-After): the run goes back to `queued` until then, keeping its cursor.
//   5xx, timeouts: retried with backoff, failed after MAX_ATTEMPTS in a row.
//   invalid_grant: failed; the integration is `needs_reauth`.
//   a malformed or oversized answer, or a page that cannot be written: failed, the integration
//   shows `error`; the page is not written and the cursor stays where it was.
import type { Logger } from 'pino';
import { systemQuery } from '../db/system-query.ts';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import type { Row } from '../db/database.ts';
import { PollingWorker } from '../platform/jobs/polling-worker.ts';
import { DUE_NOW_SQL } from '../platform/jobs/due-now.ts';
import { accountPrincipal } from '../platform/operations/principal.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import { newId } from '../platform/ids.ts';
import type { Runtime } from '../platform/contract.ts';
import type { Connector, SyncKind, SyncStep, SyncTally } from './connector.ts';
import { connectorOf } from './connectors.ts';
import { integrationLinks } from './integration-links.ts';
import { integrationSettings } from './integration-settings.ts';
import { MAX_REPORTED_FAILURES } from './integration-syncs-resource.ts';
import { readIntegration, recordSyncResult } from './integration-rows.ts';
import { NeedsReauth, ProviderRateLimited, ProviderUnavailable } from './provider-api.ts';
import { connectionApi } from './token-store.ts';

/** How long a claim lasts without news from its worker (a page takes seconds). */
const LEASE_MS = 5 * 60_000;
const MAX_ATTEMPTS = 5;
/** 30 s, 1 min, 2 min, 4 min after outages in a row. */
const backoffMs = (attempts: number) => 30_000 * 2 ** (attempts - 1);
/** Pages one claim runs before letting other runs have a turn. */
const PAGES_PER_CLAIM = 50;

const RUN_COLUMNS = 'id, account_id, integration_id, provider, member_id, kind, attempts';

/** Queues a run of `kind` (default: the connector's first), or answers the one already waiting or running. */
export async function queueSync(
  runtime: Runtime,
  accountId: string,
  integrationId: string,
  connector: Connector,
  kind: string,
  trigger: 'manual' | 'scheduled' = 'manual',
  /** The member whose own connection it is (a per-member connector). */
  memberId: string | null = null,
): Promise<{ id: string; queued: boolean }> {
  const [existing] = await systemQuery(runtime.db, {
    sql: `SELECT id FROM integration_syncs WHERE account_id = $1 AND provider = $2 AND kind = $3
             AND member_id IS NOT DISTINCT FROM $4 AND status IN ('queued', 'running') ORDER BY created_at LIMIT 1`,
    parameters: [accountId, connector.provider, kind, memberId],
  });
  if (existing) return { id: existing.id, queued: false };
  const id = newId('isy');
  await systemQuery(runtime.db, {
    sql: `INSERT INTO integration_syncs (id, account_id, integration_id, provider, member_id, kind, status, trigger,
                                         created_count, updated_count, skipped_count, failed_count, pages, attempts,
                                         run_after, created_at, updated_at)
          VALUES ($1, $2, $3, $4, $7, $5, 'queued', $6, 0, 0, 0, 0, 0, 0, ${DUE_NOW_SQL}, now(), now())`,
    parameters: [id, accountId, integrationId, connector.provider, kind, trigger, memberId],
  });
  return { id, queued: true };
}

interface Counts {
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  failures: { external_id: string; reason: string }[];
}

function tallyInto(counts: Counts): SyncTally {
  return {
    created: (n = 1) => void (counts.created += n),
    updated: (n = 1) => void (counts.updated += n),
    skipped: (n = 1) => void (counts.skipped += n),
    failed: (externalId, reason) => {
      counts.failed += 1;
      counts.failures.push({ external_id: externalId.slice(0, 200), reason: reason.slice(0, 300) });
    },
  };
}

export class SyncRunner {
  readonly #worker: PollingWorker;

  constructor(
    private readonly runtime: Runtime,
    private readonly logger: Logger,
    intervalMs = 5_000,
  ) {
    this.#worker = new PollingWorker('integration sync runner', logger, intervalMs, () => this.#runDue(Date.now()));
  }

  start(): void {
    this.#worker.start();
  }

  stop(): Promise<void> {
    return this.#worker.stop();
  }

  /** Work was queued: run it now if the loop runs. */
  nudge(): void {
    this.#worker.nudge();
  }

  /**
   * Runs every run due at `now` (tests; a manual drain), of `accountIds` only when given (suites
   * sharing a database leave each other's runs alone); answers how many runs it took.
   */
  runDue(now = Date.now(), scope: { accountIds?: readonly string[] } = {}): Promise<number> {
    if (scope.accountIds) return this.#runDue(now, scope.accountIds);
    return this.#worker.run(() => this.#runDue(now));
  }

  async #runDue(now: number, accountIds?: readonly string[]): Promise<number> {
    let taken = 0;
    for (;;) {
      if (this.#worker.stopping) return taken;
      const run = await this.#claim(now, accountIds);
      if (!run) return taken;
      taken++;
      await this.#run(run).catch((err) => this.logger.warn({ err, run: run.id }, 'integration sync run failed'));
    }
  }

  async #claim(now: number, accountIds?: readonly string[]): Promise<Row | undefined> {
    const at = new Date(now).toISOString();
    const [run] = await systemQuery(this.runtime.db, {
      sql: `UPDATE integration_syncs SET status = 'running', claimed_until = $2, error = NULL,
                   started_at = COALESCE(started_at, now()), updated_at = now()
             WHERE id = (SELECT id FROM integration_syncs
                          WHERE ((status = 'queued' AND run_after <= $1) OR (status = 'running' AND claimed_until < $1))
                            AND ($3::text[] IS NULL OR account_id = ANY($3::text[]))
                          ORDER BY run_after LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING ${RUN_COLUMNS}`,
      parameters: [at, new Date(Math.max(now, Date.now()) + LEASE_MS).toISOString(), accountIds ?? null],
    });
    return run;
  }

  async #run(run: Row): Promise<void> {
    const connector = connectorOf(run.provider);
    const kind = connector?.syncs[run.kind];
    const memberId: string | null = run.member_id ?? null;
    const integration = await readIntegration(this.runtime.db, run.account_id, run.provider, memberId);
    if (!connector || !kind) return this.#finish(run, { failed: `No sync '${run.kind}' of '${run.provider}'` });
    if (integration?.status !== 'connected' && integration?.status !== 'error')
      return this.#finish(run, { failed: `The integration is ${integration?.status ?? 'gone'}; connect it again` });
    const api = connectionApi(this.runtime, run.account_id, connector, memberId);
    try {
      for (let page = 0; page < PAGES_PER_CLAIM; page++) {
        const cursor = await this.#cursor(run, kind);
        const step = await kind.step({
          cursor,
          api,
          accountId: run.account_id,
          memberId,
          runtime: this.runtime,
          settings: integrationSettings(this.runtime),
        });
        await this.#commitPage(run, step);
        if (step.done) return this.#finish(run, {});
        if (this.#worker.stopping) break;
      }
      await this.#requeue(run, new Date(), null, run.attempts); // another turn, at once
    } catch (error) {
      await this.#failed(run, error);
    }
  }

  async #cursor(run: Row, kind: SyncKind): Promise<unknown> {
    const [row] = await systemQuery(this.runtime.db, {
      sql: `SELECT cursor FROM integration_sync_cursors
             WHERE account_id = $1 AND provider = $2 AND kind = $3 AND member_id = $4`,
      parameters: [run.account_id, run.provider, run.kind, run.member_id ?? ''],
    });
    if (!row) return null;
    const stored = typeof row.cursor === 'string' ? JSON.parse(row.cursor) : row.cursor;
    const parsed = kind.cursor.safeParse(stored);
    return parsed.success ? parsed.data : null; // unreadable (an older shape): start afresh
  }

  /** The page's writes, its cursor and its counts, in one tenant transaction. */
  async #commitPage(run: Row, step: SyncStep<unknown>): Promise<void> {
    const counts: Counts = { created: 0, updated: 0, skipped: 0, failed: 0, failures: [] };
    await withTenantTransaction(this.runtime.db, run.account_id, async (tx) => {
      const ctx = createOperationContext(tx, accountPrincipal(run.account_id), this.runtime);
      await step.write?.({ ctx, links: integrationLinks(tx, run.provider), tally: tallyInto(counts) });
      tx.defer({
        sql: `INSERT INTO integration_sync_cursors (account_id, provider, kind, member_id, cursor, updated_at)
              VALUES ($1, $2, $3, $5, $4, now())
              ON CONFLICT (account_id, provider, kind, member_id) DO UPDATE
                 SET cursor = EXCLUDED.cursor, updated_at = now()`,
        parameters: [run.account_id, run.provider, run.kind, JSON.stringify(step.cursor), run.member_id ?? ''],
      });
      tx.defer({
        sql: `UPDATE integration_syncs
                 SET created_count = created_count + $3, updated_count = updated_count + $4,
                     skipped_count = skipped_count + $5, failed_count = failed_count + $6, pages = pages + 1,
                     failures = CASE WHEN $7::jsonb = '[]'::jsonb THEN failures
                                     ELSE (SELECT jsonb_agg(f) FROM (SELECT f FROM jsonb_array_elements(
                                             COALESCE(failures, '[]'::jsonb) || $7::jsonb) f LIMIT $8) limited)
                                END,
                     attempts = 0, claimed_until = $9, updated_at = now()
               WHERE account_id = $1 AND id = $2`,
        parameters: [
          run.account_id,
          run.id,
          counts.created,
          counts.updated,
          counts.skipped,
          counts.failed,
          JSON.stringify(counts.failures),
          MAX_REPORTED_FAILURES,
          new Date(Date.now() + LEASE_MS).toISOString(),
        ],
      });
    });
    run.attempts = 0;
  }

  async #requeue(run: Row, runAfter: Date, error: string | null, attempts: number): Promise<void> {
    await systemQuery(this.runtime.db, {
      sql: `UPDATE integration_syncs SET status = 'queued', run_after = $2, error = $3, attempts = $4,
                   claimed_until = NULL, updated_at = now()
             WHERE id = $1`,
      parameters: [run.id, runAfter.toISOString(), error, attempts],
    });
  }

  async #failed(run: Row, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof ProviderRateLimited)
      return this.#requeue(run, new Date(Date.now() + error.retryAfterMs), `Waiting: ${message}`, run.attempts);
    if (error instanceof ProviderUnavailable && run.attempts + 1 < MAX_ATTEMPTS) {
      const attempts = run.attempts + 1;
      return this.#requeue(run, new Date(Date.now() + backoffMs(attempts)), `Retrying: ${message}`, attempts);
    }
    if (error instanceof NeedsReauth) return this.#finish(run, { failed: message, status: 'needs_reauth' });
    if (!(error instanceof ProviderUnavailable))
      this.logger.warn({ run: run.id, provider: run.provider, error: message }, 'integration sync failed');
    return this.#finish(run, { failed: message, status: 'error' });
  }

  async #finish(run: Row, outcome: { failed?: string; status?: 'needs_reauth' | 'error' }): Promise<void> {
    await systemQuery(this.runtime.db, {
      sql: `UPDATE integration_syncs SET status = $2, error = $3, finished_at = now(), claimed_until = NULL,
                   updated_at = now()
             WHERE id = $1`,
      parameters: [run.id, outcome.failed ? 'failed' : 'succeeded', outcome.failed?.slice(0, 1000) ?? null],
    });
    await recordSyncResult(
      this.runtime.db,
      run.account_id,
      run.provider,
      {
        runId: run.id,
        succeeded: !outcome.failed,
        status: outcome.failed ? outcome.status : 'connected',
        error: outcome.failed ?? null,
      },
      run.member_id ?? null,
    );
  }
}
