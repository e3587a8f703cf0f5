// Users: the account's team. Jobs are assigned to users whose role is technician.
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';

export const USER_ROLES = ['owner', 'admin', 'dispatcher', 'technician', 'office', 'read_only'] as const;

export const users = defineResource({
  name: 'user',
  collection: 'users',
  idPrefix: 'usr',
  description: 'A member of the account\'s team.',
  softDelete: true,
  fields: {
    name: field.text({ min: 1, max: 200 }).required().filterable().sortable().searchable(),
    email: field.email().required().unique().filterable().searchable(),
    phone: field.phone(),
    role: field.enum(USER_ROLES).default('technician').filterable(),
    status: field.enum(['active', 'inactive']).default('active').filterable(),
  },
});
