// The voice command rows: each write is its own short tenant transaction, never one held across
// a tool call or a model's answer (PGlite has one connection; the steps' operations need it).
// A confirmation claims a planned command with one conditional UPDATE, so however many arrive,
// one runs it.
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { insertRow, selectRow, updateRow } from '../platform/operations/row-statements.ts';
import type { Row } from '../db/database.ts';
import type { Runtime } from '../platform/contract.ts';
import type { Bindings, StepSpec } from './plan.ts';
import { voiceCommands } from './voice-commands.ts';

/** What a confirmation carries out: the steps as specified, and the records the lookups bound (ids only). */
export interface Program {
  specs: StepSpec[];
  bindings: [string, { collection: string; id: string; label: string }][];
}

export const programOf = (specs: StepSpec[], bindings: Bindings): Program => ({
  specs,
  bindings: [...bindings]
    .filter(([, binding]) => binding.by === 'read')
    .map(([name, { collection, id, label }]) => [name, { collection, id, label }]),
});

/** The bound records of a stored program, to be read again before its writes run. */
export const bindingsOf = (program: Program): Bindings =>
  new Map(program.bindings.map(([name, binding]) => [name, { ...binding, record: { id: binding.id }, by: 'read' }]));

export async function insertCommand(runtime: Runtime, accountId: string, row: Row, program: Program | null) {
  await withTenantTransaction(runtime.db, accountId, async (tx) => {
    tx.defer(insertRow(voiceCommands, accountId, row));
    tx.defer({
      sql: 'UPDATE voice_commands SET program = $1 WHERE account_id = $2 AND id = $3',
      parameters: [program && JSON.stringify(program), accountId, row.id],
    });
  });
}

export async function updateCommand(runtime: Runtime, accountId: string, id: string, changes: Row) {
  await withTenantTransaction(runtime.db, accountId, async (tx) => {
    tx.defer(updateRow(voiceCommands, accountId, id, { ...changes, updated_at: new Date().toISOString() }));
  });
}

export async function loadCommand(runtime: Runtime, accountId: string, id: string): Promise<Row | undefined> {
  if (!voiceCommands.acceptsId(id)) return undefined;
  return withTenantTransaction(runtime.db, accountId, async (tx) => {
    const [row] = await tx.query(selectRow(voiceCommands, accountId, id));
    return row;
  });
}

/**
 * Takes a planned, unexpired command for running (`executing`); answers its program, or null when
 * it was not planned any more (already run, running, expired, or not found).
 */
export async function claimCommand(runtime: Runtime, accountId: string, id: string, now: string) {
  return withTenantTransaction(runtime.db, accountId, async (tx) => {
    const [row] = await tx.query<{ program: Program | string }>({
      sql: `UPDATE voice_commands SET status = 'executing', confirmed_at = $3, updated_at = $3
             WHERE account_id = $1 AND id = $2 AND status = 'planned' AND expires_at > $3
             RETURNING program`,
      parameters: [accountId, id, now],
    });
    if (!row) return null;
    return (typeof row.program === 'string' ? JSON.parse(row.program) : row.program) as Program;
  });
}

/** A planned command past its time becomes `expired` (once: a later look finds it so). */
export async function expireCommand(runtime: Runtime, accountId: string, id: string, now: string) {
  await withTenantTransaction(runtime.db, accountId, async (tx) => {
    tx.defer({
      sql: `UPDATE voice_commands SET status = 'expired', updated_at = $3
             WHERE account_id = $1 AND id = $2 AND status = 'planned' AND expires_at <= $3`,
      parameters: [accountId, id, now],
    });
  });
}
