// Events the platform itself emits (not a resource's create/update/delete or action), listed
// here once so the catalogue (`x-fieldline-events`, webhook event pickers) includes them.
import type { Database } from '../../db/database.ts';
import { systemQuery } from '../../db/system-query.ts';
import type { SqlStatement } from '../../db/inline-parameters.ts';
import { newId } from '../ids.ts';
import { eventInsert } from './append-event.ts';
import type { EventType } from '../registry.ts';

export const PLATFORM_EVENT_TYPES: readonly EventType[] = [
  {
    type: 'account.quota_warning',
    collection: 'account',
    description: 'The account has used 80 % of a monthly quota (once per month).',
  },
  {
    type: 'alert.triggered',
    collection: 'alerts',
    description: "An alert rule's metric reached its threshold: an alert opened.",
  },
  {
    type: 'alert.resolved',
    collection: 'alerts',
    description: "An alert rule's metric fell back below its threshold: the alert resolved.",
  },
  {
    type: 'webhook.test',
    collection: 'webhook-endpoints',
    description: 'Sent by POST /v1/webhook-endpoints/{id}/test to that endpoint only.',
  },
];

export type PlatformEventType = (typeof PLATFORM_EVENT_TYPES)[number]['type'];

/** Appends a platform event outside any request's transaction (the change it reports is already committed). */
export async function appendPlatformEvent(
  db: Database,
  accountId: string,
  type: PlatformEventType,
  object: Record<string, unknown>,
): Promise<void> {
  await systemQuery(db, platformEventStatement(accountId, type, object));
}

/** The insert of a platform event, to run inside the transaction that made the change. */
export function platformEventStatement(
  accountId: string,
  type: PlatformEventType,
  object: Record<string, unknown>,
  now = new Date().toISOString(),
  id = newId('evt'),
): SqlStatement {
  return eventStatement(accountId, type, object, now, id);
}

/** The insert of any event by the platform itself, outside a resource operation (a worker's change). */
export function eventStatement(
  accountId: string,
  type: string,
  object: Record<string, unknown>,
  now = new Date().toISOString(),
  id = newId('evt'),
): SqlStatement {
  return eventInsert(accountId, id, { type, object, now });
}
