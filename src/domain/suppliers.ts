// Suppliers: who the business buys parts and materials from.
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { ADDRESS } from './customers.ts';

export const suppliers = defineResource({
  name: 'supplier',
  collection: 'suppliers',
  idPrefix: 'sup',
  // Money: office staff bill; dispatchers read it.
  roles: { dispatcher: 'read' },
  description: 'A vendor that purchase orders are sent to.',
  softDelete: true,
  fields: {
    name: field.text({ min: 1, max: 200 }).required().filterable().sortable().searchable().example('Acme HVAC Supply'),
    contact_name: field.text({ max: 200 }).searchable(),
    email: field.email().filterable().searchable(),
    phone: field.phone().filterable(),
    address: field.json(ADDRESS),
    status: field.enum(['active', 'inactive']).default('active').filterable(),
    notes: field.text({ max: 5000 }),
  },
});
