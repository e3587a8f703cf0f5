// Materials used on a job, taken from inventory: recording one takes the quantity out of stock
// (an inventory movement) in the same transaction; deleting it puts the quantity back. Stock
// cannot go below zero this way (409, nothing recorded) unless the item allows it.
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { loadReferencedOrThrow } from '../platform/operations/load-row.ts';
import { moveStock, recordMovement } from './stock-movements.ts';

export const jobMaterials = defineResource({
  name: 'job_material',
  collection: 'job-materials',
  idPrefix: 'jmt',
  // A technician changes only their own work.
  roles: { technician: 'own' },
  description:
    'An inventory item used on a job, also listed under `/v1/jobs/{id}/materials`. ' +
    'Recording it takes the quantity out of stock.',
  operations: ['list', 'get', 'create', 'delete', 'export'],
  limitedBecause:
    'A material is a stock movement: correct a wrong one by deleting it (the quantity goes back) ' +
    'and recording it again; one at a time keeps stock checks simple.',
  listedUnder: [{ collection: 'jobs', segment: 'materials', field: 'job_id' }],
  assignment: { through: 'job_id' },
  fields: {
    job_id: field.ref('jobs').required().createOnly().filterable().expand('job'),
    item_id: field.ref('inventory-items').required().createOnly().filterable().expand('item'),
    quantity: field.integer({ min: 1, max: 1_000_000 }).required().createOnly().example(2),
    unit_cost: field.money().readOnly().describe("The item's unit cost when it was used (minor units)."),
    notes: field.text({ max: 1000 }).createOnly(),
  },
  hooks: {
    beforeCreate: async ({ row, ctx }) => {
      const item = await loadReferencedOrThrow(ctx, ctx.registry.get('inventory-items'), row.item_id, 'item_id', {
        lock: true,
      });
      await recordMovement(ctx, item, {
        quantity: -row.quantity,
        source: 'job_material',
        reference: row.job_id,
        reason: `Used on job ${row.job_id}`,
      });
      row.unit_cost = item.unit_cost;
    },
    afterDelete: async ({ row, ctx }) => {
      await moveStock(ctx, row.item_id, {
        quantity: row.quantity,
        source: 'job_material',
        reference: row.job_id,
        reason: `Returned from job ${row.job_id}`,
      });
    },
  },
});
