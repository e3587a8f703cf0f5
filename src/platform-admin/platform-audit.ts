// What operators did: one append-only row per operator action (the table refuses UPDATE and
// DELETE, migration 0039), written in the same transaction as the change it records, so a change
// without its entry cannot commit. Read by GET /v1/platform/audit-log. An action on an account is
// also written to that account's own audit trail (src/audit/), with the operator as its actor.
import type { SqlStatement } from '../db/inline-parameters.ts';
import { newId } from '../platform/ids.ts';
import type { OperatorIdentity } from '../platform/api/operation.ts';
import { auditStatement, type FieldChange } from '../audit/record-audit.ts';

export interface OperatorAction {
  operator: OperatorIdentity | { operatorId: string | null; email: string | null };
  /** What was done: `account.created`, `account.suspended`, `operator.signed_in`... */
  action: string;
  accountId?: string | null;
  /** What changed: `{ before: {...}, after: {...} }`, no secrets. */
  summary?: Record<string, unknown>;
  ip: string | null;
}

/** The statement that records `entry`; run it in the transaction of the change. */
export function operatorAuditInsert(entry: OperatorAction): SqlStatement {
  return {
    sql: `INSERT INTO platform_audit_entries
            (id, operator_id, operator_email, action, account_id, summary, ip, created_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    parameters: [
      newId('paud'),
      entry.operator.operatorId,
      entry.operator.email,
      entry.action,
      entry.accountId ?? null,
      JSON.stringify(entry.summary ?? {}),
      entry.ip,
      new Date().toISOString(),
    ],
  };
}

/** The account's view of what changed: each field from its value before to its value after. */
function fieldChanges(summary: Record<string, unknown>): Record<string, FieldChange | string> {
  const before = (summary.before ?? {}) as Record<string, unknown>;
  const after = (summary.after ?? {}) as Record<string, unknown>;
  const changes: Record<string, FieldChange | string> = {};
  for (const field of Object.keys(after)) changes[field] = { from: before[field] ?? null, to: after[field] };
  if (typeof summary.reason === 'string') changes.reason = summary.reason;
  return changes;
}

/**
 * The operator's entry and, for an action on an account, the entry in the account's own trail
 * (actor `operator`), to run in the transaction of the change.
 */
export function operatorAuditStatements(entry: OperatorAction): SqlStatement[] {
  const statements = [operatorAuditInsert(entry)];
  if (entry.accountId)
    statements.push(
      auditStatement(entry.accountId, {
        action: entry.action,
        actor: { type: 'operator', id: entry.operator.operatorId, on_behalf_of: null },
        resourceType: 'account',
        resourceId: entry.accountId,
        changes: fieldChanges(entry.summary ?? {}),
        ip: entry.ip,
      }),
    );
  return statements;
}
