// The automation engine: a loop in every API process (several nodes share the work through
// row claims, nothing else). A round admits the events queued for rules (judging conditions:
// a run, queued or skipped), fires schedules and date triggers that are due, then takes due runs
// forward (run-executor.ts). Rounds start on NOTIFY from the queueing trigger, and every second.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { systemQuery } from '../db/system-query.ts';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { PollingWorker } from '../platform/jobs/polling-worker.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import type { Lifecycle } from '../platform/api/module.ts';
import type { Runtime } from '../platform/contract.ts';
import { conditionHolds, type Condition } from './conditions.ts';
import { AUTOMATION_CHANNEL, MAX_AUTOMATION_DEPTH } from './automation-schema.ts';
import { RunExecutor } from './run-executor.ts';
import { insertRun, rulePrincipal } from './run-records.ts';
import { runScope, type EventRow } from './run-scope.ts';
import { subjectOf } from './rule-checks.ts';
import { fireDates, fireSchedules } from './fire-triggers.ts';

export interface EngineOptions {
  intervalMs?: number;
  /** How long a worker holds a run it took; past it, another worker may resume the run. */
  leaseMs?: number;
  batchSize?: number;
  /** The clock for leases, delays and schedules (tests move it). */
  now?: () => number;
  /** Only these accounts' work (a test's engine sharing a database with other suites). */
  accountIds?: string[];
}

export class AutomationEngine implements Lifecycle {
  readonly #worker: PollingWorker;
  readonly #executor: RunExecutor;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly logger: Logger,
    private readonly options: EngineOptions = {},
  ) {
    this.#worker = new PollingWorker('automation round', logger, options.intervalMs ?? 1_000, () => this.#round());
    this.#executor = new RunExecutor(runtime, () => this.#now());
  }

  #now(): number {
    return (this.options.now ?? Date.now)();
  }

  get #accounts(): string[] | null {
    return this.options.accountIds ?? null;
  }

  async start(): Promise<void> {
    this.#worker.start();
    this.#unlisten = await this.runtime.db
      .listen(AUTOMATION_CHANNEL, () => this.#worker.nudge())
      .catch((err) => {
        this.logger.warn({ err }, 'the automation engine cannot LISTEN; polling only');
        return undefined;
      });
  }

  async stop(): Promise<void> {
    await this.#unlisten?.();
    await this.#worker.stop();
  }

  /** One round now (or joins the one running); answers how much it did. */
  round(): Promise<number> {
    return this.#worker.run();
  }

  /** Rounds until one does nothing (tests: a rule's writes may start other rules' runs). */
  async settle(maxRounds = 20): Promise<void> {
    for (let i = 0; i < maxRounds; i++) if ((await this.round()) === 0) return;
    throw new Error(`automation did not settle in ${maxRounds} rounds`);
  }

  async #round(): Promise<number> {
    const now = this.#now();
    const admitted = await this.#admitTriggered(now);
    const fired =
      (await fireSchedules(this.runtime, now, this.#accounts)) + (await fireDates(this.runtime, now, this.#accounts));
    return admitted + fired + (await this.#advanceDue(now));
  }

  /** Queued events become runs: queued when the rule's conditions hold, else skipped. */
  async #admitTriggered(now: number): Promise<number> {
    const waiting = await systemQuery<{ account_id: string; event_id: string; rule_id: string }>(this.runtime.db, {
      sql: `SELECT account_id, event_id, rule_id FROM automation_triggers
             WHERE ($2::text[] IS NULL OR account_id = ANY ($2::text[])) ORDER BY created_at LIMIT $1`,
      parameters: [this.options.batchSize ?? 100, this.#accounts],
    });
    for (const { account_id, event_id, rule_id } of waiting)
      await withTenantTransaction(this.runtime.db, account_id, async (tx) => {
        // Taken by deleting it: of two workers, one deletes the row and the other finds it gone.
        const [claimed] = await tx.query<{ depth: number }>({
          sql: `DELETE FROM automation_triggers WHERE account_id = $1 AND event_id = $2 AND rule_id = $3
                RETURNING depth`,
          parameters: [account_id, event_id, rule_id],
        });
        const [rule] = await tx.query({
          sql: `SELECT * FROM automation_rules WHERE account_id = $1 AND id = $2 AND enabled AND deleted_at IS NULL`,
          parameters: [account_id, rule_id],
        });
        const [event] = await tx.query<EventRow>({
          sql: 'SELECT id, type, data, created_at FROM events WHERE account_id = $1 AND id = $2',
          parameters: [account_id, event_id],
        });
        if (!claimed || !rule || !event) return;
        const ctx = createOperationContext(tx, rulePrincipal(account_id, rule.id, rule.acts_with_scopes), this.runtime);
        const subject = subjectOf(ctx.registry, rule.trigger);
        const scope = await runScope(ctx, subject, event);
        const looping = claimed.depth > MAX_AUTOMATION_DEPTH;
        const holds = !looping && conditionHolds(rule.conditions as Condition | null, scope);
        await insertRun(tx, {
          rule,
          status: looping ? 'failed' : holds ? 'queued' : 'skipped',
          error: looping
            ? `not run: ${claimed.depth} rules acted in a row before it (at most ${MAX_AUTOMATION_DEPTH}); ` +
              'do rules trigger each other in a loop?'
            : null,
          trigger: 'event',
          eventId: event.id,
          eventType: event.type,
          objectCollection: subject?.collection ?? null,
          objectId: typeof scope.object.id === 'string' ? scope.object.id : null,
          depth: claimed.depth,
          now: new Date(now).toISOString(),
        });
      });
    return waiting.length;
  }

  /** Claims due runs (a lease each) and takes them forward, one at a time. */
  async #advanceDue(now: number): Promise<number> {
    const token = randomUUID();
    const claimed = await systemQuery<{ id: string; account_id: string }>(this.runtime.db, {
      sql: `UPDATE automation_runs r SET lease_token = $1, locked_until = $2
             WHERE r.id IN (SELECT id FROM automation_runs
                             WHERE status IN ('queued', 'running', 'waiting') AND run_after <= $3
                               AND (locked_until IS NULL OR locked_until <= $3)
                               AND ($5::text[] IS NULL OR account_id = ANY ($5::text[]))
                             ORDER BY run_after LIMIT $4 FOR UPDATE SKIP LOCKED)
            RETURNING r.id, r.account_id`,
      parameters: [
        token,
        new Date(now + (this.options.leaseMs ?? 60_000)).toISOString(),
        new Date(now).toISOString(),
        this.options.batchSize ?? 100,
        this.#accounts,
      ],
    });
    let done = 0;
    for (const run of claimed) done += 1 + (await this.#executor.advance(run.account_id, run.id, token));
    return done;
  }
}
