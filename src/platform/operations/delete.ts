// Delete: soft (deleted_at) where the resource declares it, otherwise a real DELETE;
// either way the object disappears from the API and `{name}.deleted` carries its last state.
import { deleteRow } from './row-statements.ts';
import { lockRowOrThrow } from './load-row.ts';
import { assertStateAllows } from './update.ts';
import { serialize } from './serialize.ts';
import type { ResourceDefinition, OperationContext } from '../contract.ts';

export async function deleteInTransaction(ctx: OperationContext, resource: ResourceDefinition, id: string) {
  const row = await lockRowOrThrow(ctx, resource, id);
  assertStateAllows(resource, row, resource.lifecycle?.deletableIn, 'delete');
  await resource.hooks?.beforeDelete?.({ row, ctx });
  ctx.tx.defer(deleteRow(resource, ctx.tx.accountId, row.id, ctx.now));
  if (resource.emitsEvents) ctx.emit(`${resource.name}.deleted`, serialize(resource, row));
  await resource.hooks?.afterDelete?.({ row, ctx });
  return { id: row.id, object: resource.name, deleted: true as const };
}
