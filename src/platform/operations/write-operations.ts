// The writes of the operation table, each in a tenant transaction of its own with its context:
// input is checked before the transaction opens, so invalid input never opens one.
import { withTenantTransaction } from '../../db/tenant-transaction.ts';
import type { ActionResponse, ResourceDefinition, Runtime } from '../contract.ts';
import { notFound } from '../errors.ts';
import { insertValidated } from './create.ts';
import { deleteInTransaction } from './delete.ts';
import { lockRowOrThrow } from './load-row.ts';
import { createOperationContext } from './operation-context.ts';
import type { Principal } from './principal.ts';
import { runActionInTransaction } from './run-action.ts';
import { serialize } from './serialize.ts';
import { updateValidated } from './update.ts';
import { parseCreateInput, parseUpdateInput } from './write-input.ts';

export async function createOperation(
  runtime: Runtime,
  resource: ResourceDefinition,
  principal: Principal,
  body: unknown,
  requestId?: string,
) {
  const input = parseCreateInput(resource, body);
  return withTenantTransaction(runtime.db, principal.accountId, async (tx) => {
    const ctx = createOperationContext(tx, principal, runtime, requestId);
    const row = await insertValidated(ctx, resource, input);
    return { ...serialize(resource, row), ...ctx.revealed };
  });
}

export async function updateOperation(
  runtime: Runtime,
  resource: ResourceDefinition,
  principal: Principal,
  id: string,
  body: unknown,
  requestId?: string,
) {
  const patch = parseUpdateInput(resource, body);
  const row = await withTenantTransaction(runtime.db, principal.accountId, async (tx) => {
    const ctx = createOperationContext(tx, principal, runtime, requestId);
    return updateValidated(ctx, resource, await lockRowOrThrow(ctx, resource, id), patch);
  });
  return serialize(resource, row);
}

export function deleteOperation(
  runtime: Runtime,
  resource: ResourceDefinition,
  principal: Principal,
  id: string,
  requestId?: string,
) {
  return withTenantTransaction(runtime.db, principal.accountId, (tx) =>
    deleteInTransaction(createOperationContext(tx, principal, runtime, requestId), resource, id),
  );
}

/** `input` is the action's parsed input (the operation's body, checked by its schema). */
export async function runActionOperation(
  runtime: Runtime,
  resource: ResourceDefinition,
  principal: Principal,
  id: string,
  name: string,
  input: unknown,
  requestId?: string,
): Promise<ActionResponse> {
  const action = resource.actions[name];
  if (!action || action.internal) throw notFound(`action on ${resource.collection}`, name);
  const response = await withTenantTransaction(runtime.db, principal.accountId, async (tx) => {
    const ctx = createOperationContext(tx, principal, runtime, requestId);
    const { row, response } = await runActionInTransaction(ctx, resource, id, name, input);
    return response ?? { data: serialize(resource, row) };
  });
  return response.afterCommit ? response.afterCommit() : response;
}
