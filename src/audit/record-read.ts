// Reads of sensitive data leave an audit entry too: request-log bodies, exports. A read has no
// transaction of its own to ride in, so its entry is one insert of its own, written before the
// data is answered (no entry, no data).
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import type { Principal } from '../platform/operations/principal.ts';
import { auditStatement, type AuditEntry } from './record-audit.ts';

export async function recordRead(db: Database, principal: Principal, entry: Omit<AuditEntry, 'actor'>): Promise<void> {
  await systemQuery(db, auditStatement(principal.accountId, { ...entry, actor: principal }));
}
