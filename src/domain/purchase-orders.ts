// Purchase orders: draft -> submitted (sent to the supplier) -> received (the lines' quantities
// are added to stock through the ledger, all or nothing), or cancelled before receipt.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field, idOfSchema } from '../platform/resource/fields.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import type { Row } from '../db/database.ts';
import { moveStock } from './stock-movements.ts';
import type { OperationContext } from '../platform/contract.ts';

const PURCHASE_LINE = z.strictObject({
  item_id: idOfSchema('inventory-items').describe('The inventory item ordered.'),
  quantity: z.int().min(1).max(1_000_000),
  unit_cost: z.int().min(0).max(100_000_000_000).describe('Cost of one unit in minor units.'),
});
type PurchaseLine = z.infer<typeof PURCHASE_LINE>;

/** Every line names a live inventory item of this account (row-level security hides the rest). */
async function assertItemsExist(ctx: OperationContext, lines: readonly PurchaseLine[]): Promise<void> {
  const ids = [...new Set(lines.map((line) => line.item_id))];
  if (!ids.length) return;
  const found = await ctx.tx.query({
    sql: 'SELECT id FROM inventory_items WHERE id = ANY($1::text[]) AND deleted_at IS NULL',
    parameters: [ids],
  });
  const known = new Set(found.map((row) => row.id));
  const errors = lines.flatMap((line, i) =>
    known.has(line.item_id)
      ? []
      : [{ path: `lines.${i}.item_id`, message: `No such inventory item: '${line.item_id}'` }],
  );
  if (errors.length) throw validationFailed(errors);
}

export const purchaseOrders = defineResource({
  name: 'purchase_order',
  collection: 'purchase-orders',
  idPrefix: 'po',
  // Money: office staff bill; dispatchers read it.
  roles: { dispatcher: 'read' },
  description: 'An order of inventory items from a supplier. Receiving it adds its lines to stock.',
  lifecycle: { field: 'status', updatableIn: ['draft'], deletableIn: ['draft'] },
  fields: {
    supplier_id: field.ref('suppliers').required().filterable().expand('supplier'),
    status: field.enum(['draft', 'submitted', 'received', 'cancelled']).default('draft').readOnly().filterable(),
    lines: field.json(z.array(PURCHASE_LINE).max(200)).default([]),
    currency: field.currency().default('USD'),
    total: field.money().default(0).readOnly().sortable().describe('Sum of quantity x unit_cost over the lines.'),
    expected_on: field.date().filterable().sortable(),
    notes: field.text({ max: 5000 }).searchable(),
    submitted_at: field.datetime().readOnly(),
    received_at: field.datetime().readOnly().filterable(),
  },
  hooks: {
    compute: (row) => ({
      total: (row.lines as PurchaseLine[]).reduce((sum, line) => sum + line.quantity * line.unit_cost, 0),
    }),
    // Only lines that change are looked up again (a PATCH of the notes needs no query).
    validate: async ({ row, previous, ctx }) => {
      if (JSON.stringify(row.lines) !== JSON.stringify(previous?.lines)) await assertItemsExist(ctx, row.lines);
    },
  },
  actions: {
    submit: {
      summary: 'Submit the order to the supplier',
      from: ['draft'],
      to: 'submitted',
      event: 'submitted',
      apply: ({ row, ctx }) => {
        if (!row.lines.length)
          throw validationFailed([
            { path: 'lines', message: 'A purchase order needs at least one line to be submitted' },
          ]);
        return { submitted_at: ctx.now };
      },
    },
    receive: {
      summary: 'Receive the order into stock',
      description:
        "Adds every line's quantity to its item's stock (one inventory movement per line, `source: purchase_order`), " +
        'in one transaction.',
      from: ['submitted'],
      to: 'received',
      event: 'received',
      apply: async ({ row, ctx }) => {
        await receiveLines(ctx, row);
        return { received_at: ctx.now };
      },
    },
    cancel: { summary: 'Cancel the order', from: ['draft', 'submitted'], to: 'cancelled', event: 'cancelled' },
  },
});

/** Items are locked in id order, so two receipts sharing items cannot deadlock. */
async function receiveLines(ctx: OperationContext, order: Row): Promise<void> {
  const lines = [...(order.lines as PurchaseLine[])].sort((a, b) =>
    a.item_id < b.item_id ? -1 : a.item_id > b.item_id ? 1 : 0,
  );
  for (const line of lines) {
    const movement = {
      quantity: line.quantity,
      source: 'purchase_order' as const,
      reference: order.id,
      reason: `Received purchase order ${order.id}`,
    };
    await moveStock(ctx, line.item_id, movement).catch((error) => {
      if (error instanceof ApiError && error.code === 'not_found')
        throw new ApiError(
          'conflict',
          `Inventory item ${line.item_id} was deleted after the order was placed; restore it or cancel the order`,
        );
      throw error;
    });
  }
}
