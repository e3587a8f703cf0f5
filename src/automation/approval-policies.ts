// Approval policies: which actions wait for someone's yes. A policy names an action that can be
// held (a refund, a purchase order's submission, an estimate or quote sent, an invoice voided),
// the conditions under which it is (`{"field": "object.amount", "op": "gt", "value": 50000}`,
// over the object and the action's `input`), and who may decide: roles, members, or both.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { validationFailed, type FieldError } from '../platform/errors.ts';
import type { OperationContext, ResourceDefinition } from '../platform/contract.ts';
import { conditionProblems } from './conditions.ts';

/** The actions a policy may hold: collection -> actions. */
export const HOLDABLE_ACTIONS: Record<string, readonly string[]> = {
  payments: ['refund'],
  'purchase-orders': ['submit'],
  estimates: ['send'],
  quotes: ['send'],
  invoices: ['void'],
};

/** `object.<field>` of the held collection, or anything under `input.`. */
function pathProblem(resource: ResourceDefinition | undefined, path: string): string | null {
  const [root, name] = path.split('.');
  if (root === 'input') return name ? null : `'${path}' names no input member`;
  if (root !== 'object') return `'${path}' must start with 'object.' or 'input.'`;
  if (!resource || !name) return `'${path}' names no field`;
  return ['id', 'created_at', 'updated_at'].includes(name) || resource.fields[name]
    ? null
    : `'${name}' is not a field of ${resource.collection}`;
}

async function checkPolicy(ctx: OperationContext, row: Record<string, any>): Promise<void> {
  const errors: FieldError[] = [];
  const actions = HOLDABLE_ACTIONS[row.collection] ?? [];
  if (!actions.includes(row.action))
    errors.push({ path: 'action', message: `${row.collection} actions that can be held: ${actions.join(', ')}` });
  const resource = ctx.registry.resources.find((r) => r.collection === row.collection);
  if (row.conditions) errors.push(...conditionProblems(row.conditions, (path) => pathProblem(resource, path)));
  const roles = ctx.registry.get('users').fields.role?.enumValues ?? [];
  (row.approver_roles as string[]).forEach((role, i) => {
    if (!roles.includes(role)) errors.push({ path: `approver_roles.${i}`, message: `'${role}' is not a role` });
  });
  if (!row.approver_roles.length && !row.approver_user_ids.length)
    errors.push({ path: 'approver_roles', message: 'name approver roles, approver users, or both' });
  const users = ctx.registry.get('users');
  const found = await ctx.tx.query<{ id: string }>({
    sql: `SELECT id FROM ${users.table} WHERE account_id = $1 AND id = ANY ($2::text[]) AND deleted_at IS NULL`,
    parameters: [ctx.tx.accountId, row.approver_user_ids],
  });
  (row.approver_user_ids as string[]).forEach((id, i) => {
    if (!found.some((user) => user.id === id))
      errors.push({ path: `approver_user_ids.${i}`, message: `No such user: '${id}'` });
  });
  if (errors.length) throw validationFailed(errors);
}

export const approvalPolicies = defineResource({
  name: 'approval_policy',
  collection: 'approval-policies',
  idPrefix: 'apol',
  description:
    'Which actions wait for approval, when, and who decides. A held action answers 202 with its approval; ' +
    'it runs when approved and never when rejected.',
  softDelete: true,
  fields: {
    name: field.text({ max: 200 }).required().searchable().sortable(),
    collection: field
      .enum(Object.keys(HOLDABLE_ACTIONS) as [string, ...string[]])
      .required()
      .filterable(),
    action: field
      .text({ max: 64 })
      .required()
      .filterable()
      .example('refund')
      .describe('`refund`, `submit`, `send` or `void`.'),
    conditions: field
      .json(z.record(z.string(), z.unknown()))
      .describe(
        'When the action waits, in the language of automation conditions, over `object.` (the object as it is) ' +
          'and `input.` (what the action was given). Null: always.',
      ),
    approver_roles: field.tags().default([]).example(['owner']).describe('Members with these roles may decide.'),
    approver_user_ids: field.tags().default([]).describe('These members may decide.'),
    enabled: field.boolean().default(true).filterable(),
  },
  hooks: { validate: async ({ row, ctx }) => checkPolicy(ctx, row) },
});
