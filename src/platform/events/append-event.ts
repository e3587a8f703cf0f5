// Events are written in the same transaction as the change they describe (outbox):
// a committed change always has its event, a rolled-back one never does.
import { sqlBuilder, compile } from '../../db/sql-builder.ts';
import { newId } from '../ids.ts';
import type { TenantTransaction } from '../../db/tenant-transaction.ts';

export interface NewEvent {
  type: string;
  object: Record<string, unknown>;
  previousAttributes?: Record<string, unknown>;
  requestId?: string;
  now: string;
}

export function appendEvent(tx: TenantTransaction, event: NewEvent): string {
  const id = newId('evt');
  const data = event.previousAttributes ? { object: event.object, previous_attributes: event.previousAttributes } : { object: event.object };
  tx.defer(compile(sqlBuilder.insertInto('events').values({
    id,
    account_id: tx.accountId,
    type: event.type,
    data: JSON.stringify(data),
    request_id: event.requestId ?? null,
    created_at: event.now,
    updated_at: event.now,
  })));
  return id;
}
