// Events written outside a resource operation: by a worker, or after the change they report
// committed. Modules list the types they emit this way (FeatureModule.events) for the catalogue.
import type { Database } from '../../db/database.ts';
import { systemQuery } from '../../db/system-query.ts';
import type { SqlStatement } from '../../db/inline-parameters.ts';
import { newId } from '../ids.ts';
import { eventInsert } from './append-event.ts';

/** Appends a platform event outside any request's transaction (the change it reports is already committed). */
export async function appendPlatformEvent(
  db: Database,
  accountId: string,
  type: string,
  object: Record<string, unknown>,
): Promise<void> {
  await systemQuery(db, platformEventStatement(accountId, type, object));
}

/** The insert of a platform event, to run inside the transaction that made the change. */
export function platformEventStatement(
  accountId: string,
  type: string,
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
