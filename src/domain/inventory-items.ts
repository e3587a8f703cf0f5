// Inventory items: what the business stocks. The quantity on hand changes only through
// movements (adjust, purchase-order receipts), each one a row in the inventory-movements
// ledger written in the same transaction, under the item's row lock.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { recordMovement } from './stock-movements.ts';

export const inventoryItems = defineResource({
  name: 'inventory_item',
  collection: 'inventory-items',
  idPrefix: 'itm',
  // What a technician works with in the field.
  roles: { technician: 'read' },
  description:
    'A stocked part or material. `quantity_on_hand` changes only through movements, each recorded under ' +
    '`/v1/inventory-items/{id}/movements`.',
  softDelete: true,
  fields: {
    sku: field
      .text({ min: 1, max: 64 })
      .required()
      .unique()
      .filterable(['eq', 'in', 'starts_with'])
      .sortable()
      .searchable()
      .example('FLT-16x25'),
    name: field.text({ min: 1, max: 200 }).required().sortable().searchable().example('Furnace filter 16x25'),
    description: field.text({ max: 2000 }),
    quantity_on_hand: field.integer().default(0).readOnly().filterable().sortable(),
    reorder_point: field
      .integer({ min: 0 })
      .default(0)
      .filterable()
      .describe('At or below this quantity the item needs reordering.'),
    needs_reorder: field
      .boolean()
      .default(false)
      .readOnly()
      .filterable()
      .describe('`quantity_on_hand <= reorder_point`.'),
    unit_cost: field.money().default(0).describe("Cost of one unit in the currency's minor unit."),
    currency: field.currency().default('USD'),
    allow_negative: field
      .boolean()
      .default(false)
      .describe('Let movements take the quantity below zero (backorders); otherwise they are refused with 409.'),
  },
  hooks: {
    compute: (row) => ({ needs_reorder: row.quantity_on_hand <= row.reorder_point }),
  },
  actions: {
    adjust: {
      summary: 'Adjust the quantity on hand',
      description:
        'Adds `quantity` (negative to remove) and records the movement with its reason. ' +
        'Refused with 409 when it would take the quantity below zero and the item does not allow that.',
      input: z.strictObject({
        quantity: z
          .int()
          .min(-1_000_000)
          .max(1_000_000)
          .refine((n) => n !== 0, 'must not be 0')
          .describe('Units to add; negative to remove.'),
        reason: z.string().trim().min(1).max(500).describe("Why: a stock count, damage, a job's use."),
      }),
      run: async ({ row, input, ctx }) => {
        const item = await recordMovement(ctx, row, {
          quantity: input.quantity,
          reason: input.reason,
          source: 'adjustment',
        });
        return { data: serialize(ctx.registry.get('inventory-items'), item) };
      },
    },
  },
});
