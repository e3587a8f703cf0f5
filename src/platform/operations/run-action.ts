// Actions: POST /v1/{collection}/{id}/{action}. The lifecycle decides whether the action may
// start from the row's state (409 invalid_state_transition if not); the declaration's
// `apply` says what else changes, or `run` does custom work and answers for itself.
import { z } from 'zod';
import type { Row } from '../../db/database.ts';
import { ApiError, notFound, validationFailed } from '../errors.ts';
import { lockRowOrThrow } from './load-row.ts';
import { applyChanges } from './update.ts';
import { REPORT_INPUT, zodIssuesToFieldErrors } from './write-input.ts';
import type { ActionResponse, ActionSpec, ResourceDefinition, OperationContext } from '../contract.ts';

const NO_INPUT = z.strictObject({});

export function actionInputSchema(action: ActionSpec): z.ZodType {
  return action.input ?? NO_INPUT;
}

export function parseActionInput(action: ActionSpec, body: unknown): unknown {
  const result = actionInputSchema(action).safeParse(body ?? {}, REPORT_INPUT);
  if (!result.success) throw validationFailed(zodIssuesToFieldErrors(result.error.issues));
  return result.data;
}

function assertTransitionAllowed(resource: ResourceDefinition, name: string, action: ActionSpec, row: Row): void {
  if (!action.from || !resource.lifecycle) return;
  const field = resource.lifecycle.field;
  if (action.from.includes(row[field])) return;
  throw new ApiError(
    'invalid_state_transition',
    `Cannot ${name} a ${resource.name} whose ${field} is '${row[field]}'; ` +
      `${name} is allowed when ${field} is ${action.from.join(' or ')}`,
    { current_state: row[field], allowed_states: action.from },
  );
}

/** Runs action `name` on the object `id` with its input already parsed (parseActionInput). */
export async function runActionInTransaction(
  ctx: OperationContext,
  resource: ResourceDefinition,
  id: string,
  name: string,
  input: unknown,
): Promise<{ row: Row; response?: ActionResponse }> {
  const action = resource.actions[name];
  if (!action) throw notFound(`action on ${resource.collection}`, name);
  const row = await lockRowOrThrow(ctx, resource, id);
  assertTransitionAllowed(resource, name, action, row);
  if (!ctx.approvalId) {
    for (const gate of ctx.registry.gatesOf(resource.collection, name)) {
      const held = await gate.hold(ctx, { resource, row, action: name, input });
      if (held) return { row, response: { data: held, status: 202 } };
    }
  }
  if (action.run) return { row, response: await action.run({ row, input, ctx }) };
  const patch: Row = { ...((await action.apply?.({ row, input, ctx })) ?? {}) };
  if (action.to) patch[resource.lifecycle!.field] = action.to;
  return { row: applyChanges(ctx, resource, row, patch, `${resource.name}.${action.event}`, true) };
}
