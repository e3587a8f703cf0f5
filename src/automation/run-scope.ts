// What a run reads: its event, the event's object and previous attributes, and the object as it
// is now. Action values are rendered over it: a string that is one template tag (`"{{object.id}}"`)
// becomes that value as it is (a number stays a number); any other string is rendered as text.
import type { OperationContext, ResourceDefinition } from '../platform/contract.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { selectRow } from '../platform/operations/row-statements.ts';
import { renderPlainText } from '../messaging/email-rendering.ts';
import { valueAt, type RunScope } from './conditions.ts';

const ONE_TAG = /^\{\{\s*([\w.]+)\s*\}\}$/;

export function renderValue(value: unknown, scope: RunScope): unknown {
  if (typeof value === 'string') {
    const whole = ONE_TAG.exec(value);
    if (whole) return valueAt(scope, whole[1]!) ?? null;
    return value.includes('{{') ? renderPlainText(value, scope as unknown as Record<string, unknown>) : value;
  }
  if (Array.isArray(value)) return value.map((item) => renderValue(item, scope));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, scope)]));
  return value;
}

/** The object as it is now, as the API shows it (null once deleted). */
export async function currentRecord(
  ctx: OperationContext,
  subject: ResourceDefinition | null,
  id: unknown,
): Promise<Record<string, unknown> | null> {
  if (!subject || typeof id !== 'string') return null;
  const [row] = await ctx.tx.query(selectRow(subject, ctx.tx.accountId, id));
  return row ? serialize(subject, row) : null;
}

export interface EventRow {
  id: string;
  type: string;
  created_at: string;
  data: { object?: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
}

/** What a run reads of its event alone. */
export const eventScope = (event: EventRow): Omit<RunScope, 'record'> => ({
  event: { id: event.id, type: event.type, created_at: event.created_at },
  object: event.data.object ?? {},
  previous: event.data.previous_attributes ?? {},
});

/** The scope of a run started by `event` (or by a schedule or date: `event` made up, `object` given). */
export async function runScope(
  ctx: OperationContext,
  subject: ResourceDefinition | null,
  event: EventRow,
): Promise<RunScope> {
  const scope = eventScope(event);
  return { ...scope, record: await currentRecord(ctx, subject, scope.object.id) };
}
