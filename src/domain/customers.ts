// Customers: the people and companies a service business works for.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';

export const ADDRESS = z.strictObject({
  line1: z.string().max(200).optional(),
  line2: z.string().max(200).optional(),
  city: z.string().max(100).optional(),
  region: z.string().max(100).optional(),
  postal_code: z.string().max(20).optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'Expected an ISO 3166-1 alpha-2 code')
    .optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
});

export const customers = defineResource({
  name: 'customer',
  collection: 'customers',
  idPrefix: 'cus',
  // What a technician works with in the field.
  roles: { technician: 'read' },
  description: 'A person or company the business serves.',
  searchTitle: ['name'],
  softDelete: true,
  fields: {
    name: field.text({ min: 1, max: 200 }).required().filterable().sortable().searchable().example('Ada Lovelace'),
    email: field.email().filterable().searchable(),
    phone: field.phone().filterable().searchable(),
    company: field.text({ max: 200 }).filterable().sortable().searchable().example('Analytical Engines Ltd'),
    address: field.json(ADDRESS).describe('Postal address of the main service location.'),
    tags: field.tags().filterable().describe('Free-form labels, e.g. `vip`.'),
    status: field.enum(['active', 'inactive', 'lead']).default('active').filterable(),
    notes: field.text({ max: 5000 }),
  },
});
