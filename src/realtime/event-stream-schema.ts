// What event streams need of the events table. Each event records the id of the transaction
// that wrote it (`txid`), and streams read in (txid, id) order only below the oldest
// transaction still running: an event committed late, by a transaction that began before
// others, is therefore never skipped by a reader that has already moved past later ones.
import type { ResourceDefinition } from '../platform/contract.ts';

export const EVENT_STREAM_SCHEMA: readonly string[] = [
  `ALTER TABLE events ADD COLUMN IF NOT EXISTS txid xid8 NOT NULL DEFAULT pg_current_xact_id()`,
  `CREATE INDEX IF NOT EXISTS events_txid_idx ON events (account_id, txid, id)`,
  // Accounts some node is streaming events to right now (EventStreamHub renews its rows).
  // NOTIFY serialises committing transactions, so the events trigger announces only these.
  `CREATE TABLE IF NOT EXISTS event_listeners (
     account_id text PRIMARY KEY REFERENCES accounts (id),
     until timestamptz NOT NULL
   )`,
];

/** The events resource with the schema its stream reads by. */
export function withEventStream(events: ResourceDefinition): ResourceDefinition {
  return { ...events, schema: [...(events.schema ?? []), ...EVENT_STREAM_SCHEMA] };
}
