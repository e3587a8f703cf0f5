// Update (PATCH with merge semantics) and the change-writing step actions share:
// derive fields, write only what changed, record the event with previous_attributes.
import type { Row } from '../../db/database.ts';
import { ApiError } from '../errors.ts';
import { updateRow } from './row-statements.ts';
import { assertStaysAssignedToCaller, deferReferenceChecks } from './load-row.ts';
import { serialize } from './serialize.ts';
import { sealWriteOnlyFields } from './write-only-fields.ts';
import type { ResourceDefinition, OperationContext } from '../contract.ts';

const sameValue = (a: unknown, b: unknown) => a === b || JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Refuses an operation the lifecycle does not allow in the row's current state. */
export function assertStateAllows(
  resource: ResourceDefinition,
  row: Row,
  allowed: readonly string[] | undefined,
  what: string,
): void {
  const lifecycle = resource.lifecycle;
  if (!lifecycle || !allowed || allowed.includes(row[lifecycle.field])) return;
  throw new ApiError(
    'conflict',
    `Cannot ${what} a ${resource.name} whose ${lifecycle.field} is '${row[lifecycle.field]}' ` +
      `(allowed when ${allowed.join(', ')})`,
    {
      errors: [{ path: lifecycle.field, message: `is '${row[lifecycle.field]}'` }],
    },
  );
}

/**
 * Writes `patch` onto `row`. Without `alwaysEmit`, a patch that changes nothing writes
 * nothing and emits nothing.
 */
export function applyChanges(
  ctx: OperationContext,
  resource: ResourceDefinition,
  row: Row,
  patch: Row,
  eventType: string,
  alwaysEmit = false,
): Row {
  assertStaysAssignedToCaller(ctx, resource, patch);
  let next: Row = { ...row, ...patch };
  if (resource.hooks?.compute) next = { ...next, ...resource.hooks.compute(next) };
  // A write-only value is never read back, so it cannot be compared: writing one is a change.
  const changed = Object.keys(resource.fields).filter((name) =>
    resource.fields[name].writeOnly ? name in patch : !sameValue(row[name], next[name]),
  );
  if (changed.length === 0 && !alwaysEmit) return row;
  next.updated_at = ctx.now;
  deferReferenceChecks(ctx, resource, next, changed);
  const changes: Row = { updated_at: ctx.now };
  for (const name of changed) changes[name] = next[name];
  ctx.tx.defer(
    updateRow(resource, ctx.tx.accountId, row.id, sealWriteOnlyFields(resource, changes, ctx.runtime.secrets)),
  );
  const previous: Row = {};
  for (const name of changed) if (!resource.fields[name].writeOnly) previous[name] = row[name] ?? null;
  if (resource.emitsEvents) ctx.emit(eventType, serialize(resource, next), previous);
  return next;
}

/** A client's PATCH of a locked row, by the same rules wherever it arrives (PATCH, bulk). */
export async function updateValidated(
  ctx: OperationContext,
  resource: ResourceDefinition,
  current: Row,
  patch: Row,
): Promise<Row> {
  assertStateAllows(resource, current, resource.lifecycle?.updatableIn, 'update');
  await resource.hooks?.validate?.({ row: { ...current, ...patch }, previous: current, ctx });
  if (resource.hooks?.stamp)
    patch = { ...patch, ...(await resource.hooks.stamp({ row: { ...current, ...patch }, previous: current, ctx })) };
  const next = applyChanges(ctx, resource, current, patch, `${resource.name}.updated`);
  if (next !== current) await resource.hooks?.afterUpdate?.({ row: next, previous: current, ctx });
  return next;
}
