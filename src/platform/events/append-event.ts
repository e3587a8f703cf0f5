// Events are written in the same transaction as the change they describe (outbox):
// a committed change always has its event, a rolled-back one never does.
import { newId } from '../ids.ts';
import type { TenantTransaction } from '../../db/tenant-transaction.ts';
import type { SqlStatement } from '../../db/inline-parameters.ts';
import { SYSTEM_ACTOR, type Actor } from '../../audit/actor.ts';

export interface NewEvent {
  type: string;
  object: Record<string, unknown>;
  previousAttributes?: Record<string, unknown>;
  requestId?: string;
  now: string;
  /** Who made the change (src/audit/actor.ts); default the system (a worker's change). */
  actor?: Actor;
}

// livemode is the account's (false in a sandbox: README "Test mode"), read in the same round trip.
const INSERT_EVENT = `INSERT INTO events (id, account_id, type, data, request_id, actor_type, actor_id, created_at,
                                         updated_at, livemode)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce((SELECT livemode FROM accounts WHERE id = $2), true))`;

/** The insert of one event row; every writer of events goes through it. */
export function eventInsert(accountId: string, id: string, event: NewEvent): SqlStatement {
  const actor = event.actor ?? SYSTEM_ACTOR;
  // The actor rides in `data`, so every reader of events (GET /v1/events, webhooks, the event
  // stream, REST-hook polls) delivers it; its columns are for finding an actor's events.
  const data = event.previousAttributes
    ? { object: event.object, previous_attributes: event.previousAttributes, actor }
    : { object: event.object, actor };
  return {
    sql: INSERT_EVENT,
    parameters: [
      id,
      accountId,
      event.type,
      JSON.stringify(data),
      event.requestId ?? null,
      actor.type,
      actor.id,
      event.now,
      event.now,
    ],
    prepare: true,
  };
}

export function appendEvent(tx: TenantTransaction, event: NewEvent): string {
  const id = newId('evt');
  tx.defer(eventInsert(tx.accountId, id, event));
  return id;
}
