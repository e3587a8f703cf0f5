// What operators did: one append-only row per operator action (the table refuses UPDATE and
// DELETE, migration 0039), written in the same transaction as the change it records, so a change
// without its entry cannot commit. Read by GET /v1/platform/audit-log.
import type { SqlStatement } from '../db/inline-parameters.ts';
import { newId } from '../platform/ids.ts';
import type { OperatorIdentity } from '../platform/api/operation.ts';

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
