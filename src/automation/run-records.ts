// The rows of runs as the engine writes them: a new run holds what its rule or workflow was when
// it started (its steps, compiled, and its scopes: an edit never changes a run half done), and
// each change of a run is one UPDATE with its lease released or kept.
import type { Row } from '../db/database.ts';
import type { TenantTransaction } from '../db/tenant-transaction.ts';
import { newId } from '../platform/ids.ts';
import { accountPrincipal, type Principal } from '../platform/operations/principal.ts';
import { compileSteps, type Instruction } from './program.ts';
import type { RunStatus } from './automation-runs.ts';
import type { Runtime } from '../platform/contract.ts';
import { chargeRuns } from './run-quota.ts';

/** What a run keeps of its rule or workflow. */
export interface RuleSnapshot {
  actions: Instruction[];
  scopes: string[];
}

/** Runs act with the scopes their rule or workflow was saved with, as it (never as the account itself). */
export const rulePrincipal = (accountId: string, sourceId: string, scopes: readonly string[]): Principal => ({
  ...accountPrincipal(accountId),
  automationRuleId: sourceId,
  scopes: new Set(scopes),
});

export interface NewRun {
  /** What it runs: a rule (its actions), or a workflow (its steps, at its version). */
  rule?: Row;
  workflow?: Row;
  status: RunStatus;
  trigger: 'event' | 'schedule' | 'relative' | 'manual' | 'workflow';
  /** The object given by hand to a workflow, when it is no record of the API. */
  input?: Record<string, unknown> | null;
  eventId?: string | null;
  eventType?: string | null;
  objectCollection?: string | null;
  objectId?: string | null;
  depth: number;
  error?: string | null;
  /** Schedules and dates: what it fired for; a second run for the same key is not made. */
  fireKey?: string | null;
  now: string;
}

const RUN_COLUMNS = `id, account_id, rule_id, status, trigger, event_id, event_type, object_collection, object_id,
  depth, next_step, steps, run_after, attempts, error, started_at, finished_at, fire_key, rule_snapshot,
  created_at, updated_at, workflow_id, workflow_version, input`;

/** The values of a new run's row, in RUN_COLUMNS order. */
function runValues(accountId: string, run: NewRun): unknown[] {
  const finished = !['queued', 'running', 'waiting'].includes(run.status);
  const source = (run.rule ?? run.workflow)!;
  const snapshot: RuleSnapshot = {
    actions: compileSteps(run.rule ? run.rule.actions : run.workflow!.steps),
    scopes: source.acts_with_scopes,
  };
  const nullable = [run.eventId, run.eventType, run.objectCollection, run.objectId].map((value) => value ?? null);
  return [newId('arun'), accountId, run.rule?.id ?? null, run.status, run.trigger, ...nullable, run.depth, 0, '[]']
    .concat([run.now, 0, run.error ?? null, null, finished ? run.now : null, run.fireKey ?? null])
    .concat([JSON.stringify(snapshot), run.now, run.now, run.workflow?.id ?? null, run.workflow?.version ?? null])
    .concat([run.input ? JSON.stringify(run.input) : null]);
}

/** Where runs are made: the transaction, and the runtime whose quota they count against. */
interface RunMaker {
  tx: TenantTransaction;
  runtime: Runtime;
}

/**
 * Inserts runs in one statement, counted against the plan's quota (run-quota.ts); answers the ids
 * made (a run whose fire key was taken is not). `refuse`: past the quota, 429 instead of a failed run.
 */
export async function insertRuns(
  { tx, runtime }: RunMaker,
  newRuns: readonly NewRun[],
  options?: { refuse?: boolean },
): Promise<string[]> {
  if (!newRuns.length) return [];
  const runs = await chargeRuns(runtime, tx, newRuns, options);
  const rows = runs.map((run) => runValues(tx.accountId, run));
  const width = rows[0]!.length;
  // One parenthesised list of parameter numbers per row: ($1, ..., $24), ($25, ...).
  const valueLists = rows.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`)})`);
  const inserted = await tx.query<{ id: string }>({
    sql: `INSERT INTO automation_runs (${RUN_COLUMNS}) VALUES ${valueLists.join(', ')}
          ON CONFLICT (account_id, rule_id, fire_key) WHERE fire_key IS NOT NULL DO NOTHING
          RETURNING id`,
    parameters: rows.flat(),
  });
  return inserted.map((row) => row.id);
}

/** Inserts a run (answers its id, or null when its fire key was already taken). */
export const insertRun = async (maker: RunMaker, run: NewRun, options?: { refuse?: boolean }): Promise<string | null> =>
  (await insertRuns(maker, [run], options))[0] ?? null;

/** Changes a run's columns, releasing its lease unless `keepLease`. */
export function updateRun(tx: TenantTransaction, id: string, changes: Row, now: string, keepLease = false): void {
  const values: Row = { ...changes, updated_at: now, ...(!keepLease && { lease_token: null, locked_until: null }) };
  const names = Object.keys(values);
  tx.defer({
    sql: `UPDATE automation_runs SET ${names.map((name, i) => `${name} = $${i + 3}`).join(', ')}
           WHERE account_id = $1 AND id = $2`,
    parameters: [
      tx.accountId,
      id,
      ...names.map((name) => (name === 'steps' ? JSON.stringify(values[name]) : values[name])),
    ],
  });
}
