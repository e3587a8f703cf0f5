// A rule's test: its conditions judged and its actions rendered against a real event, an object
// given, or the latest event of its type, with nothing written or sent. It reads what the rule
// would read, so it asks the caller for the read scopes of those objects.
import { z } from 'zod';
import { ApiError, notFound, validationFailed } from '../platform/errors.ts';
import { hasScope } from '../platform/operations/principal.ts';
import { loadRowOrThrow } from '../platform/operations/load-row.ts';
import type { OperationContext } from '../platform/contract.ts';
import { renderEmail, type EmailTemplateParts } from '../messaging/email-rendering.ts';
import { conditionHolds, type Condition } from './conditions.ts';
import type { Action, Trigger } from './rule-schema.ts';
import { subjectOf } from './subject.ts';
import { renderValue, runScope, type EventRow } from './run-scope.ts';

export const dryRunInput = z
  .object({
    event_id: z.string().min(1).max(64).optional().describe('An event of the rule’s trigger type.'),
    object: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('An object to run against instead (its `id`, if given, loads `record`).'),
  })
  .strict();

export const dryRunResult = z.object({
  object: z.literal('automation_rule_test'),
  rule_id: z.string(),
  event: z.object({ id: z.string().nullable(), type: z.string() }),
  conditions_hold: z.boolean(),
  actions: z.array(z.record(z.string(), z.unknown())).describe('Each action with its values rendered.'),
});

async function eventFor(
  ctx: OperationContext,
  trigger: Trigger,
  input: z.infer<typeof dryRunInput>,
): Promise<EventRow> {
  const type = trigger.type === 'event' ? trigger.event : trigger.type;
  if (input.object) return { id: '', type, created_at: ctx.now, data: { object: input.object } };
  if (!hasScope(ctx.principal, 'read:events'))
    throw new ApiError('insufficient_scope', "Testing against events needs the scope 'read:events'", {
      required_scope: 'read:events',
    });
  const [event] = await ctx.tx.query<EventRow>({
    sql: input.event_id
      ? 'SELECT id, type, data, created_at FROM events WHERE account_id = $1 AND id = $2'
      : `SELECT id, type, data, created_at FROM events WHERE account_id = $1 AND type = $2
          ORDER BY created_at DESC, id DESC LIMIT 1`,
    parameters: [ctx.tx.accountId, input.event_id ?? type],
  });
  if (input.event_id && !event) throw notFound('event', input.event_id);
  if (!event)
    throw validationFailed([{ path: 'event_id', message: `no '${type}' event yet: give an event_id or an object` }]);
  if (trigger.type === 'event' && event.type !== trigger.event)
    throw validationFailed([
      { path: 'event_id', message: `'${event.id}' is a ${event.type} event; the rule waits for ${trigger.event}` },
    ]);
  return event;
}

async function rendered(ctx: OperationContext, action: Action, scope: Parameters<typeof renderValue>[1]) {
  const values = renderValue(action, scope) as Record<string, unknown>;
  if (action.type !== 'send_message' || !action.template_id) return values;
  const template = await loadRowOrThrow(ctx, ctx.registry.get('email-templates'), action.template_id);
  const mail = renderEmail(template as EmailTemplateParts, scope as unknown as Record<string, unknown>);
  return { ...values, subject: mail.subject, body: mail.text };
}

export async function dryRun(ctx: OperationContext, ruleId: string, input: z.infer<typeof dryRunInput>) {
  const rule = await loadRowOrThrow(ctx, ctx.registry.get('automation-rules'), ruleId);
  const subject = subjectOf(ctx.registry, rule.trigger);
  if (subject && !hasScope(ctx.principal, `read:${subject.collection}`))
    throw new ApiError(
      'insufficient_scope',
      `Testing this rule reads ${subject.collection}: it needs 'read:${subject.collection}'`,
      {
        required_scope: `read:${subject.collection}`,
      },
    );
  const event = await eventFor(ctx, rule.trigger, input);
  const scope = await runScope(ctx, subject, event);
  const actions = [];
  for (const action of rule.actions as Action[]) actions.push(await rendered(ctx, action, scope));
  return {
    object: 'automation_rule_test',
    rule_id: rule.id,
    event: { id: event.id || null, type: event.type },
    conditions_hold: conditionHolds(rule.conditions as Condition | null, scope),
    actions,
  };
}
