// The automation engine: a loop in every API process (several nodes share the work through
// row claims, nothing else). A round admits the events queued for rules (judging conditions:
// a run where they hold), fires schedules and date triggers that are due, then takes due runs
// forward (run-executor.ts). Rounds run every half second (automation-schema.ts says why not on NOTIFY).
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { systemQuery } from '../db/system-query.ts';
import { accountIsActive } from '../platform/active-account.ts';
import { withTenantTransaction, type TenantTransaction } from '../db/tenant-transaction.ts';
import type { Row } from '../db/database.ts';
import { PollingWorker } from '../platform/jobs/polling-worker.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import type { Lifecycle } from '../platform/api/module.ts';
import type { Runtime } from '../platform/contract.ts';
import { conditionHolds, type Condition } from './conditions.ts';
import { MAX_AUTOMATION_DEPTH } from './automation-schema.ts';
import { RunExecutor } from './run-executor.ts';
import { insertRuns, rulePrincipal, type NewRun } from './run-records.ts';
import { eventScope, runScope, type EventRow } from './run-scope.ts';
import { subjectOf } from './subject.ts';
import { fireDates, fireSchedules } from './fire-triggers.ts';

const byId = <T extends Row>(rows: T[]) => new Map(rows.map((row) => [row.id as string, row]));

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

  constructor(
    private readonly runtime: Runtime,
    logger: Logger,
    private readonly options: EngineOptions = {},
  ) {
    this.#worker = new PollingWorker('automation round', logger, options.intervalMs ?? 500, () => this.#round());
    this.#executor = new RunExecutor(runtime, () => this.#now());
  }

  #now(): number {
    return (this.options.now ?? Date.now)();
  }

  get #accounts(): string[] | null {
    return this.options.accountIds ?? null;
  }

  start(): void {
    this.#worker.start();
  }

  stop(): Promise<void> {
    return this.#worker.stop();
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

  /** Queued events become runs where the rule's conditions hold. */
  async #admitTriggered(now: number): Promise<number> {
    const accounts = await systemQuery<{ account_id: string }>(this.runtime.db, {
      sql: `SELECT DISTINCT account_id FROM (SELECT account_id FROM automation_triggers
             WHERE ($1::text[] IS NULL OR account_id = ANY ($1::text[])) ORDER BY created_at LIMIT 1000) waiting`,
      parameters: [this.#accounts],
    });
    // Batch after batch while an account has more, for a second at most per round.
    const until = performance.now() + 1_000;
    const batch = this.options.batchSize ?? 100;
    let admitted = 0;
    for (const { account_id } of accounts) {
      for (let taken = batch; taken === batch && performance.now() < until; admitted += taken)
        taken = await withTenantTransaction(this.runtime.db, account_id, (tx) => this.#admitBatch(tx, now));
    }
    return admitted;
  }

  /** One account's oldest queued events, judged together: one statement each to take, read and record them. */
  async #admitBatch(tx: TenantTransaction, now: number): Promise<number> {
    // Taken by deleting them; rows another worker holds are skipped, not waited for.
    const claimed = await tx.query<{ event_id: string; rule_id: string; depth: number }>({
      sql: `DELETE FROM automation_triggers t
             USING (SELECT event_id, rule_id FROM automation_triggers WHERE account_id = $1
                     ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED) taken
             WHERE t.event_id = taken.event_id AND t.rule_id = taken.rule_id
            RETURNING t.event_id, t.rule_id, t.depth`,
      parameters: [tx.accountId, this.options.batchSize ?? 100],
    });
    if (!claimed.length) return 0;
    const rules = byId(
      await tx.query({
        sql: `SELECT * FROM automation_rules WHERE account_id = $1 AND id = ANY ($2::text[])
                 AND enabled AND deleted_at IS NULL`,
        parameters: [tx.accountId, [...new Set(claimed.map((c) => c.rule_id))]],
      }),
    );
    const events = byId(
      await tx.query<EventRow>({
        sql: 'SELECT id, type, data, created_at FROM events WHERE account_id = $1 AND id = ANY ($2::text[])',
        parameters: [tx.accountId, [...new Set(claimed.map((c) => c.event_id))]],
      }),
    );
    const at = new Date(now).toISOString();
    const runs: NewRun[] = [];
    for (const { event_id, rule_id, depth } of claimed) {
      const rule = rules.get(rule_id);
      const event = events.get(event_id);
      if (!rule || !event) continue; // disabled or deleted since: nothing to run
      const ctx = createOperationContext(tx, rulePrincipal(tx.accountId, rule.id, rule.acts_with_scopes), this.runtime);
      const subject = subjectOf(ctx.registry, rule.trigger);
      // The object as it is now is read only for conditions that look at it.
      const scope = JSON.stringify(rule.conditions ?? null).includes('"record.')
        ? await runScope(ctx, subject, event)
        : { ...eventScope(event), record: null };
      const looping = depth > MAX_AUTOMATION_DEPTH;
      // An event the conditions pass over leaves no run (a rule's test shows why it would not run).
      if (!looping && !conditionHolds(rule.conditions as Condition | null, scope)) continue;
      runs.push({
        rule,
        status: looping ? 'failed' : 'queued',
        error: looping
          ? `not run: ${depth} rules acted in a row before it (at most ${MAX_AUTOMATION_DEPTH}); ` +
            'do rules trigger each other in a loop?'
          : null,
        trigger: 'event',
        eventId: event.id,
        eventType: event.type,
        objectCollection: subject?.collection ?? null,
        objectId: typeof scope.object.id === 'string' ? scope.object.id : null,
        depth,
        now: at,
      });
    }
    await insertRuns({ tx, runtime: this.runtime }, runs);
    return claimed.length;
  }

  /** Claims due runs (a lease each) and takes them forward, one at a time. */
  async #advanceDue(now: number): Promise<number> {
    const token = randomUUID();
    const claimed = await systemQuery<{ id: string; account_id: string }>(this.runtime.db, {
      sql: `UPDATE automation_runs r SET lease_token = $1, locked_until = $2
             WHERE r.id IN (SELECT id FROM automation_runs
                             WHERE status IN ('queued', 'running', 'waiting') AND run_after <= $3
                               AND (locked_until IS NULL OR locked_until <= $3)
                               AND ${accountIsActive('automation_runs.account_id')}
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
