// The stock ledger: one row per change of an item's quantity, never edited or deleted, so the
// quantity on hand can always be explained (it is the sum of its item's movements).
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { MOVEMENT_SOURCES } from './stock-movements.ts';

export const inventoryMovements = defineResource({
  name: 'inventory_movement',
  collection: 'inventory-movements',
  idPrefix: 'imv',
  description: "A change of an inventory item's quantity on hand, recorded by the action that made it.",
  operations: ['list', 'get', 'export'],
  limitedBecause:
    'The stock ledger is written by stock changes (adjust, materials, purchase orders) and never edited, ' +
    'so every quantity can be explained.',
  listedUnder: [{ collection: 'inventory-items', segment: 'movements', field: 'item_id' }],
  fields: {
    item_id: field.ref('inventory-items').required().createOnly().filterable().expand('item'),
    quantity: field.integer().required().createOnly().filterable().describe('Units added; negative when removed.'),
    quantity_after: field
      .integer()
      .required()
      .createOnly()
      .describe("The item's quantity on hand after this movement."),
    source: field.enum(MOVEMENT_SOURCES).required().createOnly().filterable(),
    reference: field
      .text({ max: 64 })
      .createOnly()
      .filterable(['eq', 'in'])
      .describe('The object that caused it: a purchase order or job id.'),
    reason: field.text({ max: 500 }).createOnly(),
  },
});
