// The reads a read replica may serve: lists and exports, search, analytics. They run on the
// replica only inside an API GET request (asReader, by the HTTP layer) whose caller has not
// written lately and while the replica keeps up (src/db/read-replica.ts); everything else, and
// everything when DATABASE_REPLICA_URL is unset, runs on the primary exactly as before.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Row } from '../../db/database.ts';
import type { SqlStatement } from '../../db/inline-parameters.ts';
import { tenantBatch, withTenantTransaction, type TenantTransaction } from '../../db/tenant-transaction.ts';
import type { Runtime } from '../contract.ts';

/** Who is reading: the caller of the GET request being served (asked when a read starts). */
const readers = new AsyncLocalStorage<() => string | undefined>();

/** Runs `work` (a GET request's handling) with its reads eligible for the replica, as `caller`. */
export function asReader<T>(caller: () => string | undefined, work: () => T): T {
  return readers.run(caller, work);
}

/** tenantBatch for reads: on the replica when it may serve this caller. */
export function tenantRead(runtime: Runtime, accountId: string, statements: readonly SqlStatement[]): Promise<Row[][]> {
  const replica = runtime.options.readReplica;
  const caller = replica && readers.getStore()?.();
  if (!caller) return tenantBatch(runtime.db, accountId, statements);
  return replica.read(caller, (db, onReplica) => tenantBatch(db, accountId, statements, { readOnly: onReplica }));
}

/** withTenantTransaction for reads of several round trips (search): on the replica when it may serve. */
export function tenantReadTransaction<T>(
  runtime: Runtime,
  accountId: string,
  work: (tx: TenantTransaction) => Promise<T>,
): Promise<T> {
  const replica = runtime.options.readReplica;
  const caller = replica && readers.getStore()?.();
  if (!caller) return withTenantTransaction(runtime.db, accountId, work);
  return replica.read(caller, (db, onReplica) => withTenantTransaction(db, accountId, work, { readOnly: onReplica }));
}
