// Loading one row for a write: a wrong-prefix id, another account's id and a missing id
// all look the same to the caller (404), and the row is locked until commit.
import type { Row } from '../../db/database.ts';
import { ApiError, notFound, validationFailed } from '../errors.ts';
import { requireReference, selectRow } from './row-statements.ts';
import type { ResourceDefinition, OperationContext } from '../contract.ts';

/** The object a path names (`/{id}`), or a 404; locked until commit if asked. */
export async function loadRowOrThrow(
  ctx: OperationContext,
  resource: ResourceDefinition,
  id: string,
  options: { lock?: boolean } = {},
): Promise<Row> {
  if (!resource.acceptsId(id)) throw notFound(resource.name, id);
  const [row] = await ctx.tx.query(selectRow(resource, ctx.tx.accountId, id, options));
  if (!row) throw notFound(resource.name, id);
  if (options.lock) await assertAssignedToCaller(ctx, resource, row);
  return row;
}

/** Whether the caller's role may change only its own work in `resource` (`own` access). */
const ownWorkOnly = (ctx: OperationContext, resource: ResourceDefinition) =>
  ctx.principal.role !== undefined && resource.roles[ctx.principal.role] === 'own';

/** A caller limited to their own work cannot hand it to someone else (`assign` to another technician). */
export function assertStaysAssignedToCaller(ctx: OperationContext, resource: ResourceDefinition, patch: Row): void {
  const assignment = resource.assignment;
  if (!ownWorkOnly(ctx, resource) || !assignment || !('field' in assignment) || !(assignment.field in patch)) return;
  if (patch[assignment.field] !== ctx.principal.userId)
    throw new ApiError('forbidden', `You may not assign this ${resource.name} to someone else`);
}

/**
 * A caller whose role has `own` access to the resource may write a row only when it, or the row
 * it belongs to, is assigned to them. Called for every row locked for a write and every new row.
 */
export async function assertAssignedToCaller(
  ctx: OperationContext,
  resource: ResourceDefinition,
  row: Row,
): Promise<void> {
  const assignment = resource.assignment;
  if (!ownWorkOnly(ctx, resource) || !assignment) return;
  if ('field' in assignment) {
    if (row[assignment.field] !== ctx.principal.userId) {
      throw new ApiError(
        'forbidden',
        `This ${resource.name} is not assigned to you: you may change only your own work`,
      );
    }
    return;
  }
  const parentId = row[assignment.through];
  if (parentId === null || parentId === undefined)
    throw new ApiError('forbidden', `You may change only your own work: give ${assignment.through}`);
  const parent = ctx.registry.get(resource.fields[assignment.through].ref!.collection);
  await assertAssignedToCaller(
    ctx,
    parent,
    await loadReferencedOrThrow(ctx, parent, String(parentId), assignment.through),
  );
}

export const lockRowOrThrow = (ctx: OperationContext, resource: ResourceDefinition, id: string) =>
  loadRowOrThrow(ctx, resource, id, { lock: true });

/** An object a request names in its body (`user_id`): the row (locked until commit if asked), or a 422 at `path`. */
export async function loadReferencedOrThrow(
  ctx: OperationContext,
  resource: ResourceDefinition,
  id: string,
  path: string,
  options: { lock?: boolean } = {},
): Promise<Row> {
  const [row] = resource.acceptsId(id) ? await ctx.tx.query(selectRow(resource, ctx.tx.accountId, id, options)) : [];
  if (!row) throw validationFailed([{ path, message: `No such ${resource.name}: '${id}'` }]);
  return row;
}

/**
 * Checks that every ref field in `names` holding a value points at a live object of the
 * same account. Malformed ids fail at once; the others are checked in the write's round trip.
 */
export function deferReferenceChecks(
  ctx: OperationContext,
  resource: ResourceDefinition,
  row: Row,
  names: Iterable<string>,
): void {
  for (const name of names) {
    const ref = resource.fields[name]?.ref;
    const id = row[name];
    if (!ref || id === null || id === undefined) continue;
    const target = ctx.registry.get(ref.collection);
    if (!target.acceptsId(String(id)))
      throw validationFailed([{ path: name, message: `No such ${target.name}: '${id}'` }]);
    ctx.tx.defer(requireReference(target, ctx.tx.accountId, name, String(id)));
  }
}
