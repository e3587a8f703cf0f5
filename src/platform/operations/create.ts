// Create: validate, fill defaults and derived fields, insert, record `{name}.created`.
// The insert and its event are deferred, so a plain create costs one round trip.
import type { Row } from '../../db/database.ts';
import { newId } from '../ids.ts';
import { parseCreateInput } from './write-input.ts';
import { insertRow } from './row-statements.ts';
import { assertAssignedToCaller, deferReferenceChecks } from './load-row.ts';
import { serialize } from './serialize.ts';
import { sealWriteOnlyFields } from './write-only-fields.ts';
import type { ResourceDefinition, OperationContext } from '../contract.ts';

function buildNewRow(resource: ResourceDefinition, input: Row, now: string): Row {
  // A caller inside the server may choose the id (a message whose outbox entry names it first).
  const row: Row = { id: input.id ?? newId(resource.idPrefix) };
  for (const [name, spec] of Object.entries(resource.fields)) {
    if (input[name] !== undefined) row[name] = input[name];
    // defaults are literals
    else row[name] = Array.isArray(spec.defaultValue) ? [...spec.defaultValue] : (spec.defaultValue ?? null);
  }
  row.created_at = now;
  row.updated_at = now;
  return resource.hooks?.compute ? { ...row, ...resource.hooks.compute(row) } : row;
}

/** Inserts an already validated input inside `ctx`'s transaction. */
export async function insertValidated(ctx: OperationContext, resource: ResourceDefinition, input: Row): Promise<Row> {
  let row = buildNewRow(resource, input, ctx.now);
  await resource.hooks?.validate?.({ row, ctx });
  if (resource.hooks?.stamp) row = { ...row, ...(await resource.hooks.stamp({ row, ctx })) };
  await assertAssignedToCaller(ctx, resource, row);
  await resource.hooks?.beforeCreate?.({ row, ctx });
  deferReferenceChecks(ctx, resource, row, Object.keys(resource.fields));
  ctx.tx.defer(insertRow(resource, ctx.tx.accountId, sealWriteOnlyFields(resource, row, ctx.runtime.secrets)));
  if (resource.emitsEvents) ctx.emit(`${resource.name}.created`, serialize(resource, row));
  await resource.hooks?.afterCreate?.({ row, ctx });
  return row;
}

export function createInTransaction(ctx: OperationContext, resource: ResourceDefinition, body: unknown): Promise<Row> {
  return insertValidated(ctx, resource, parseCreateInput(resource, body));
}
