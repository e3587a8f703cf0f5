// POST /v1/{collection}/bulk: up to 100 creates, updates and deletes, all or nothing.
// Every item is validated before the transaction opens; an item that fails inside it rolls
// everything back and the error names its index.
import { z } from 'zod';
import { withTenantTransaction } from '../../db/tenant-transaction.ts';
import { ApiError, validationFailed, type FieldError } from '../errors.ts';
import { toApiError } from '../database-errors.ts';
import { createOperationContext } from './operation-context.ts';
import { parseCreateInput, parseUpdateInput, REPORT_INPUT, zodIssuesToFieldErrors } from './write-input.ts';
import { insertValidated } from './create.ts';
import { updateValidated } from './update.ts';
import { deleteInTransaction } from './delete.ts';
import { lockRowOrThrow } from './load-row.ts';
import { serialize } from './serialize.ts';
import type { Principal } from './principal.ts';
import type { ResourceDefinition, Runtime } from '../contract.ts';

export const MAX_BULK_ITEMS = 100;

export function bulkRequestSchema(resource: ResourceDefinition) {
  const item = z.discriminatedUnion('action', [
    ...(resource.operations.has('create')
      ? [z.strictObject({ action: z.literal('create'), data: z.record(z.string(), z.unknown()) })]
      : []),
    ...(resource.operations.has('update')
      ? [z.strictObject({ action: z.literal('update'), id: z.string(), data: z.record(z.string(), z.unknown()) })]
      : []),
    ...(resource.operations.has('delete') ? [z.strictObject({ action: z.literal('delete'), id: z.string() })] : []),
  ] as unknown as [z.ZodObject, ...z.ZodObject[]]);
  return z.strictObject({ operations: z.array(item).min(1).max(MAX_BULK_ITEMS) });
}

type BulkItem =
  | { action: 'create'; data: unknown }
  | { action: 'update'; id: string; data: unknown }
  | { action: 'delete'; id: string };

function withIndex(cause: unknown, index: number): unknown {
  const error = toApiError(cause);
  if (!error) return cause;
  // Field paths point into the item's `data`, where the client wrote them.
  const errors: FieldError[] = error.extra.errors?.map((e) => ({
    ...e,
    index,
    path: `operations.${index}${e.path ? '.data.' + e.path : ''}`,
  })) ?? [{ index, path: `operations.${index}`, message: error.detail }];
  return new ApiError(error.code, `operations[${index}]: ${error.detail}`, { ...error.extra, errors });
}

export async function bulkOperation(
  runtime: Runtime,
  resource: ResourceDefinition,
  principal: Principal,
  body: unknown,
  requestId?: string,
) {
  const parsed = bulkRequestSchema(resource).safeParse(body, REPORT_INPUT);
  if (!parsed.success) throw validationFailed(zodIssuesToFieldErrors(parsed.error.issues));
  const items = parsed.data.operations as BulkItem[];
  const inputs = items.map((item, index) => {
    try {
      if (item.action === 'create') return parseCreateInput(resource, item.data);
      if (item.action === 'update') return parseUpdateInput(resource, item.data);
      return undefined;
    } catch (error) {
      throw withIndex(error, index);
    }
  });
  const results = await withTenantTransaction(runtime.db, principal.accountId, async (tx) => {
    const ctx = createOperationContext(tx, principal, runtime, requestId);
    const out = [];
    for (const [index, item] of items.entries()) {
      try {
        if (item.action === 'create') {
          out.push({
            index,
            action: item.action,
            status: 201,
            data: serialize(resource, await insertValidated(ctx, resource, inputs[index]!)),
          });
        } else if (item.action === 'update') {
          const current = await lockRowOrThrow(ctx, resource, item.id);
          out.push({
            index,
            action: item.action,
            status: 200,
            data: serialize(resource, await updateValidated(ctx, resource, current, inputs[index]!)),
          });
        } else {
          out.push({
            index,
            action: item.action,
            status: 200,
            data: await deleteInTransaction(ctx, resource, item.id),
          });
        }
        await tx.flush(); // surfaces this item's database errors under its own index
      } catch (error) {
        throw withIndex(error, index);
      }
    }
    return out;
  });
  return results;
}
