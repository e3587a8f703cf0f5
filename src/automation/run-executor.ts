// Takes a run forward, one action per transaction: the run row is locked by its lease token, the
// action does its writes (and queues what leaves), and the run records the step, all in one
// commit. A worker that dies mid-step commits nothing of it; the next to claim the run after the
// lease resumes at the same step. An action the API refuses (bad input, a missing object, a
// scope) fails the run at once; anything else is retried with backoff, then fails it.
import { withTenantTransaction, type TenantTransaction } from '../db/tenant-transaction.ts';
import type { Row } from '../db/database.ts';
import { ApiError } from '../platform/errors.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import type { OperationContext, ResourceDefinition, Runtime } from '../platform/contract.ts';
import { conditionHolds } from './conditions.ts';
import { automationRuns, UNFINISHED, type RunStatus, type StepRecord } from './automation-runs.ts';
import { DEPTH_SETTING } from './automation-schema.ts';
import { performAction } from './run-actions.ts';
import { rulePrincipal, updateRun, type RuleSnapshot } from './run-records.ts';
import { runScope, type EventRow } from './run-scope.ts';
import { subjectOf } from './subject.ts';

/** Tries of one action before its run fails; waits between them grow 5 s, 25 s, 2 min, 10 min. */
export const MAX_ATTEMPTS = 5;
const retryDelayMs = (attempt: number) => 5_000 * 5 ** (attempt - 1);
/** No run does more than this many actions (a rule has at most 20). */
const MAX_STEPS_PER_RUN = 50;

const messageOf = (error: unknown) =>
  error instanceof ApiError ? `${error.code}: ${error.detail}` : 'internal error (retried; see the server log)';

/** The run's event, or for a schedule or a date the event it stands for. */
async function eventOf(ctx: OperationContext, run: Row): Promise<EventRow> {
  if (run.event_id) {
    const [event] = await ctx.tx.query<EventRow>({
      sql: 'SELECT id, type, data, created_at FROM events WHERE account_id = $1 AND id = $2',
      parameters: [ctx.tx.accountId, run.event_id],
    });
    if (event) return event;
  }
  return {
    id: run.id,
    type: run.trigger,
    created_at: run.created_at,
    data: { object: run.object_id ? { id: run.object_id } : {} },
  };
}

/** The collection of the run's object: its rule's trigger's, or its workflow's. */
async function subjectOfRun(ctx: OperationContext, run: Row): Promise<ResourceDefinition | null> {
  const [source] = await ctx.tx.query({
    sql: run.rule_id
      ? 'SELECT trigger, NULL AS collection FROM automation_rules WHERE account_id = $1 AND id = $2'
      : 'SELECT NULL AS trigger, collection FROM workflows WHERE account_id = $1 AND id = $2',
    parameters: [ctx.tx.accountId, run.rule_id ?? run.workflow_id],
  });
  if (source?.trigger) return subjectOf(ctx.registry, source.trigger);
  return source?.collection ? ctx.registry.get(source.collection) : null;
}

/** The run, locked, while this worker's lease holds (undefined once another worker has taken it over). */
async function lockRun(tx: TenantTransaction, runId: string, token: string): Promise<Row | undefined> {
  const [run] = await tx.query({
    sql: `SELECT * FROM automation_runs WHERE account_id = $1 AND id = $2 AND lease_token = $3 FOR UPDATE`,
    parameters: [tx.accountId, runId, token],
  });
  return run;
}

function finish(ctx: OperationContext, run: Row, changes: Row): void {
  updateRun(ctx.tx, run.id, { ...changes, finished_at: ctx.now, run_after: null }, ctx.now);
  const status = changes.status as RunStatus;
  if (status === 'succeeded' || status === 'failed')
    ctx.emit(`automation_run.${status}`, serialize(automationRuns, { ...run, ...changes, finished_at: ctx.now }));
}

export class RunExecutor {
  constructor(
    private readonly runtime: Runtime,
    private readonly clock: () => number,
  ) {}

  #context(tx: TenantTransaction, run: Row): OperationContext {
    const snapshot = run.rule_snapshot as RuleSnapshot;
    // The events the step causes carry one hop more (the trigger that queues rules reads it).
    tx.defer({ sql: `SELECT set_config('${DEPTH_SETTING}', $1, true)`, parameters: [String(run.depth + 1)] });
    return createOperationContext(
      tx,
      rulePrincipal(tx.accountId, run.rule_id ?? run.workflow_id, snapshot.scopes),
      this.runtime,
    );
  }

  /** Runs the claimed run's actions until it finishes, waits, or loses its lease. */
  async advance(accountId: string, runId: string, token: string): Promise<number> {
    let steps = 0;
    for (;;) {
      let outcome: 'next' | 'stop';
      try {
        outcome = await withTenantTransaction(this.runtime.db, accountId, (tx) => this.#step(tx, runId, token));
      } catch (error) {
        if (!(error instanceof ApiError)) this.runtime.logger.warn({ err: error, runId }, 'automation step failed');
        await withTenantTransaction(this.runtime.db, accountId, (tx) => this.#fail(tx, runId, token, error));
        return steps + 1;
      }
      if (outcome === 'stop') return steps;
      steps++;
    }
  }

  async #step(tx: TenantTransaction, runId: string, token: string): Promise<'next' | 'stop'> {
    const run = await lockRun(tx, runId, token);
    if (!run || !UNFINISHED.includes(run.status)) return 'stop';
    const ctx = this.#context(tx, run);
    const { actions } = run.rule_snapshot as RuleSnapshot;
    const steps = (run.steps ?? []) as StepRecord[];
    if (run.next_step >= actions.length || steps.length >= MAX_STEPS_PER_RUN) {
      const tooMany = run.next_step < actions.length;
      finish(ctx, run, {
        status: tooMany ? 'failed' : 'succeeded',
        error: tooMany ? `stopped after ${MAX_STEPS_PER_RUN} actions` : null,
      });
      return 'stop';
    }
    const action = actions[run.next_step]!;
    if (action.type === 'jump') {
      updateRun(tx, run.id, { next_step: action.to, status: 'running' }, ctx.now, true);
      return 'next';
    }
    const subject = await subjectOfRun(ctx, run);
    const scope = await runScope(ctx, subject, await eventOf(ctx, run));
    // A run with no event (a schedule, a date, a workflow) is about the record as it is, or its input.
    if (!run.event_id) scope.object = scope.record ?? run.input ?? scope.object;
    const startedAt = new Date(this.clock()).toISOString();
    let next = run.next_step + 1;
    let result: Record<string, unknown>;
    if (action.type === 'branch') {
      const holds = conditionHolds(action.if, scope);
      if (!holds) next = action.else_at;
      result = { took: holds ? 'then' : 'else' };
    } else {
      const source = run.rule_id ?? run.workflow_id;
      result = await performAction({ ctx, scope, subject, runId, ruleId: source, depth: run.depth }, action);
    }
    const record: StepRecord = {
      action: action.type,
      status: 'succeeded',
      started_at: startedAt,
      finished_at: new Date(this.clock()).toISOString(),
      result,
      error: null,
    };
    const done = {
      steps: [...steps, record],
      next_step: next,
      attempts: 0,
      started_at: run.started_at ?? startedAt,
    };
    if (action.type === 'request_approval') {
      // No time to wake: the decision does (run-approvals.ts), even after a last step.
      updateRun(tx, run.id, { ...done, status: 'waiting', run_after: null }, ctx.now);
      return 'stop';
    }
    if (next >= actions.length) {
      finish(ctx, { ...run, ...done }, { ...done, status: 'succeeded', error: null });
      return 'stop';
    }
    if (action.type === 'delay') {
      const until = new Date(this.clock() + action.seconds * 1000).toISOString();
      updateRun(tx, run.id, { ...done, status: 'waiting', run_after: until }, ctx.now);
      return 'stop';
    }
    updateRun(tx, run.id, { ...done, status: 'running' }, ctx.now, true);
    return 'next';
  }

  /** Records a failed try of the run's current action: retried later, or the run fails. */
  async #fail(tx: TenantTransaction, runId: string, token: string, error: unknown) {
    const run = await lockRun(tx, runId, token);
    if (!run || !UNFINISHED.includes(run.status)) return;
    const ctx = this.#context(tx, run);
    const attempts = run.attempts + 1;
    const refused = error instanceof ApiError && error.status < 500;
    if (!refused && attempts < MAX_ATTEMPTS) {
      const retryAt = new Date(this.clock() + retryDelayMs(attempts)).toISOString();
      updateRun(tx, run.id, { attempts, status: 'running', run_after: retryAt, error: messageOf(error) }, ctx.now);
      return;
    }
    const { actions } = run.rule_snapshot as RuleSnapshot;
    const now = new Date(this.clock()).toISOString();
    const record: StepRecord = {
      action: actions[run.next_step]?.type ?? 'unknown',
      status: 'failed',
      started_at: now,
      finished_at: now,
      result: null,
      error: messageOf(error),
    };
    finish(ctx, run, { steps: [...(run.steps ?? []), record], attempts, status: 'failed', error: messageOf(error) });
  }
}
