// What an end customer sees of a collection: a list and a get under /v1/customer/{path}, showing
// the fields the view names (never internal notes or costs), of the customer's own rows only
// (`customer_id` is theirs) and only in the states a customer may see (no drafts). Rows of
// another customer, or of another account, are a 404 like rows that do not exist.
import { z } from 'zod';
import type { Row } from '../db/database.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import type { Operation } from '../platform/api/operation.ts';
import { notFound } from '../platform/errors.ts';
import { fetchPage } from '../platform/operations/list.ts';
import { parseListQuery } from '../platform/query/parse-list-query.ts';
import { selectRow } from '../platform/operations/row-statements.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { objectSchema } from '../platform/resource/schemas.ts';
import { pascalCase } from '../platform/naming.ts';
import type { OperationContext, Registry, ResourceDefinition } from '../platform/contract.ts';
import type { Principal } from '../platform/operations/principal.ts';
import { asCustomer } from './customer-context.ts';

export const CUSTOMER_TAG = 'Customer portal';

export interface CustomerView {
  collection: string;
  /** Under /v1/customer/. */
  path: string;
  /** What a customer reads there (beside `id`, `object`, `created_at`). */
  fields: readonly string[];
  /** States a customer may see, by the lifecycle field (no drafts). */
  visible?: { field: string; values: readonly string[] };
  /** Rows shared with every customer (published articles) rather than each customer's own. */
  shared?: boolean;
  /** Query filters the list takes (by these fields' values). */
  filters?: readonly string[];
  /** Members added to each object, computed in the same transaction (a technician's first name). */
  decorate?: {
    members: Record<string, z.ZodType>;
    run(ctx: OperationContext, rows: Row[]): Promise<Record<string, unknown>[]>;
  };
  description: string;
}

/** The rows of `view` a customer may read, as list filters. */
function customerFilters(view: CustomerView, principal: Principal) {
  return [
    ...(view.shared ? [] : [{ field: 'customer_id', operator: 'eq' as const, value: principal.customerId! }]),
    ...(view.visible ? [{ field: view.visible.field, operator: 'in' as const, value: view.visible.values }] : []),
  ];
}

/** Whether a customer may read `row` through `view`. */
export const customerMayRead = (view: CustomerView, principal: Principal, row: Row): boolean =>
  (view.shared || row.customer_id === principal.customerId) &&
  (!view.visible || view.visible.values.includes(row[view.visible.field]));

/** The view's object: the resource's, cut to what a customer reads. */
export function viewSchema(view: CustomerView, resource: ResourceDefinition): z.ZodObject {
  const picked = Object.fromEntries(['id', 'object', ...view.fields, 'created_at'].map((name) => [name, true]));
  const object = (objectSchema(resource) as z.ZodObject).pick(picked as never);
  return view.decorate ? object.extend(view.decorate.members) : object;
}

/** The customer's own row of the view (404 otherwise), locked when asked. */
export async function loadCustomerRow(
  ctx: OperationContext,
  view: CustomerView,
  id: string,
  options: { lock?: boolean } = {},
): Promise<Row> {
  const resource = ctx.registry.get(view.collection);
  const [row] = resource.acceptsId(id) ? await ctx.tx.query(selectRow(resource, ctx.tx.accountId, id, options)) : [];
  if (!row || !customerMayRead(view, ctx.principal, row)) throw notFound(resource.name, id);
  return row;
}

/** Rows as the customer sees them. */
export async function presentToCustomer(ctx: OperationContext, view: CustomerView, rows: Row[]) {
  const resource = ctx.registry.get(view.collection);
  const shown = new Set(['id', 'object', ...view.fields, 'created_at']);
  const extra = view.decorate ? await view.decorate.run(ctx, rows) : [];
  return rows.map((row, i) => ({ ...serialize(resource, row, shown), ...extra[i] }));
}

const Page = z.object({ has_more: z.boolean(), next_cursor: z.string().nullable() });

export function customerViewOperations(registry: Registry, view: CustomerView): Operation[] {
  const resource = registry.get(view.collection);
  const object = viewSchema(view, resource);
  const Plural = pascalCase(view.path);
  const Singular = pascalCase(resource.name);
  const words = view.path.replace(/-/g, ' ');
  const filterSchemas = Object.fromEntries(
    (view.filters ?? []).map((name) => [name, resource.fields[name].schema.optional()]),
  );
  const list = defineOperation({
    method: 'get',
    path: `/v1/customer/${view.path}`,
    operationId: `listCustomer${Plural}`,
    tag: CUSTOMER_TAG,
    scope: null,
    authentication: 'customer',
    bucket: 'read',
    summary: `List the customer's ${words}`,
    description: view.description,
    query: z.strictObject({
      limit: z.coerce.number().int().min(1).max(100).default(20),
      cursor: z.string().max(2000).optional().describe("The previous page's `next_cursor`."),
      ...filterSchemas,
    }),
    response: z.array(object),
    async handle(call) {
      const params = new URLSearchParams({ limit: String(call.query.limit) });
      if (call.query.cursor) params.set('cursor', call.query.cursor);
      for (const name of view.filters ?? []) {
        const value = (call.query as Record<string, unknown>)[name];
        if (value !== undefined) params.set(name, String(value));
      }
      const asked = parseListQuery(resource, params);
      const query = { ...asked, filters: [...asked.filters, ...customerFilters(view, call.principal)] };
      const { rows, page } = await fetchPage(call.runtime, resource, call.principal, query);
      const data = await asCustomer(call, (ctx) => presentToCustomer(ctx, view, rows));
      return { status: 200, body: { data, page } };
    },
  });
  const get = defineOperation({
    method: 'get',
    path: `/v1/customer/${view.path}/{id}`,
    operationId: `getCustomer${Singular}`,
    tag: CUSTOMER_TAG,
    scope: null,
    authentication: 'customer',
    bucket: 'read',
    params: { id: { pattern: `^${resource.idPrefix}_` } },
    summary: `Get one of the customer's ${words}`,
    description: `${view.description} Another customer's is a 404.`,
    response: object,
    async handle(call) {
      const data = await asCustomer(call, async (ctx) => {
        const row = await loadCustomerRow(ctx, view, call.params.id);
        return (await presentToCustomer(ctx, view, [row]))[0];
      });
      return { status: 200, body: { data } };
    },
  });
  return [{ ...list, response: { ...list.response, json: z.object({ data: z.array(object), page: Page }) } }, get];
}
