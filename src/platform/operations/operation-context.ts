// The context an operation (and a resource's action or hook) works with inside its transaction.
import type { TenantTransaction } from '../../db/tenant-transaction.ts';
import type { Principal } from './principal.ts';
import { appendEvent } from '../events/append-event.ts';
import { actorOf } from '../../audit/actor.ts';
import { auditOfEvent, recordAudit } from '../../audit/record-audit.ts';
import { createInTransaction } from './create.ts';
import { parseActionInput, runActionInTransaction } from './run-action.ts';
import { applyChanges } from './update.ts';
import { lockRowOrThrow } from './load-row.ts';
import type { OperationContext, Runtime } from '../contract.ts';

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
    runAction: async (collection, id, name, input) => {
      const resource = registry.get(collection);
      // Checked as the public API checks it (an unknown action is a 404 from runActionInTransaction).
      const action = resource.actions[name];
      const parsed = action ? parseActionInput(action, input ?? {}) : input;
      return (await runActionInTransaction(ctx, resource, id, name, parsed)).row;
    },
    update: async (collection, id, patch) => {
      const resource = registry.get(collection);
      return applyChanges(ctx, resource, await lockRowOrThrow(ctx, resource, id), patch, `${resource.name}.updated`);
    },
    emit: (type, object, previousAttributes) => {
      const actor = actorOf(principal);
      appendEvent(tx, { type, object, previousAttributes, requestId, now: ctx.now, actor });
      // Its audit entry rides with the event (deferred, in the same round trip and transaction).
      recordAudit(tx, auditOfEvent(actor, type, object, previousAttributes, requestId, ctx.now));
      for (const reaction of registry.reactionsTo(type))
        tx.beforeCommit(() => reaction.run(ctx, { type, object, previousAttributes }));
    },
  };
  return ctx;
}
