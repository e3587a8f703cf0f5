// Moving stock: the one path by which an item's quantity changes. The caller holds the item's
// row lock (actions lock their row; moveStock locks it), so concurrent movements queue and a
// quantity is never read stale: stock cannot go below zero by racing.
import { ApiError } from '../platform/errors.ts';
import { lockRowOrThrow } from '../platform/operations/load-row.ts';
import { applyChanges } from '../platform/operations/update.ts';
import type { Row } from '../db/database.ts';
import type { OperationContext } from '../platform/contract.ts';

export const MOVEMENT_SOURCES = ['adjustment', 'purchase_order', 'job_material'] as const;

export interface Movement {
  quantity: number;
  source: (typeof MOVEMENT_SOURCES)[number];
  reason?: string;
  reference?: string;
}

/** Applies `movement` to the locked `item` and records it in the ledger; answers the item after it. */
export async function recordMovement(ctx: OperationContext, item: Row, movement: Movement): Promise<Row> {
  const after = item.quantity_on_hand + movement.quantity;
  if (after < 0 && !item.allow_negative) {
    throw new ApiError(
      'conflict',
      `Not enough stock of ${item.sku}: ${item.quantity_on_hand} on hand, ${-movement.quantity} requested`,
      {
        item: item.id,
        quantity_on_hand: item.quantity_on_hand,
        requested: -movement.quantity,
      },
    );
  }
  // The item is locked and fresh already: write the change without reading it again.
  const updated = applyChanges(
    ctx,
    ctx.registry.get('inventory-items'),
    item,
    { quantity_on_hand: after },
    'inventory_item.updated',
  );
  await ctx.create('inventory-movements', { item_id: item.id, quantity_after: after, ...movement });
  return updated;
}

/** Locks the item and moves its stock (for movements made by another object's action). */
export async function moveStock(ctx: OperationContext, itemId: string, movement: Movement): Promise<Row> {
  return recordMovement(ctx, await lockRowOrThrow(ctx, ctx.registry.get('inventory-items'), itemId), movement);
}
