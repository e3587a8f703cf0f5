// What an operation (and a resource's action or hook) works with inside its transaction.
import type { TenantTransaction } from '../../db/tenant-transaction.ts';
import type { Row } from '../../db/database.ts';
import type { Registry } from '../registry.ts';
import type { Runtime } from '../api/runtime.ts';
import type { Principal } from './principal.ts';
import { appendEvent } from '../events/append-event.ts';
import { createInTransaction } from './create.ts';
import { runActionInTransaction } from './run-action.ts';
import { applyChanges } from './update.ts';
import { lockRowOrThrow } from './load-row.ts';

export interface OperationContext {
  readonly tx: TenantTransaction;
  readonly principal: Principal;
  readonly registry: Registry;
  readonly runtime: Runtime;
  readonly requestId?: string;
  /** One timestamp for everything the operation writes. */
  readonly now: string;
  /** Creates an object in this transaction, validating `body` exactly as the public API would. */
  create(collection: string, body: unknown): Promise<Row>;
  /** Runs an action (internal ones included) on an object in this transaction. */
  runAction(collection: string, id: string, action: string, input?: unknown): Promise<Row>;
  /** A trusted server-side change (read-only fields included), recorded as `{name}.updated`. */
  update(collection: string, id: string, patch: Row): Promise<Row>;
  emit(type: string, object: Record<string, unknown>, previousAttributes?: Record<string, unknown>): void;
  /** Adds a member to this create's response only (a generated secret): never to the event or later reads. */
  reveal(name: string, value: unknown): void;
  /** What `reveal` collected. */
  readonly revealed: Record<string, unknown>;
}

export function createOperationContext(
  tx: TenantTransaction,
  principal: Principal,
  runtime: Runtime,
  requestId?: string,
): OperationContext {
  const registry = runtime.registry;
  const revealed: Record<string, unknown> = {};
  const ctx: OperationContext = {
    tx,
    principal,
    registry,
    runtime,
    requestId,
    revealed,
    reveal: (name, value) => {
      revealed[name] = value;
    },
    now: new Date().toISOString(),
    create: (collection, body) => createInTransaction(ctx, registry.get(collection), body),
    runAction: async (collection, id, action, input) =>
      (await runActionInTransaction(ctx, registry.get(collection), id, action, input ?? {})).row,
    update: async (collection, id, patch) => {
      const resource = registry.get(collection);
      return applyChanges(ctx, resource, await lockRowOrThrow(ctx, resource, id), patch, `${resource.name}.updated`);
    },
    emit: (type, object, previousAttributes) =>
      appendEvent(tx, { type, object, previousAttributes, requestId, now: ctx.now }),
  };
  return ctx;
}
