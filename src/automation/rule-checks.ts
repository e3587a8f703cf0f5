// What a rule may say, judged when it is saved: its trigger names a real event type, cron
// expression or date field, its conditions read real paths, and its actions pass the checks of
// action-checks.ts. Problems answer 422 with each one's path; a missing scope answers 403
// naming it. Nothing is saved either way.
import { Cron } from 'croner';
import type { OperationContext, Registry } from '../platform/contract.ts';
import { conditionProblems } from './conditions.ts';
import type { Action, Trigger } from './rule-schema.ts';
import { checkSteps, finishChecks, needScope, type Checked } from './action-checks.ts';
import { pathProblem, subjectOf } from './subject.ts';

function checkTrigger(registry: Registry, trigger: Trigger, out: Checked): void {
  if (trigger.type === 'event') {
    if (!registry.eventTypes().some((type) => type.type === trigger.event))
      out.errors.push({ path: 'trigger.event', message: `'${trigger.event}' is not an event type` });
  } else if (trigger.type === 'schedule') {
    try {
      new Cron(trigger.cron, { paused: true });
    } catch (error) {
      out.errors.push({ path: 'trigger.cron', message: `is not a cron expression: ${(error as Error).message}` });
    }
  } else {
    const resource = registry.resources.find((r) => r.collection === trigger.collection);
    const kind = resource?.fields[trigger.field]?.kind;
    if (!resource)
      out.errors.push({ path: 'trigger.collection', message: `'${trigger.collection}' is not a collection` });
    else if (kind !== 'date' && kind !== 'datetime')
      out.errors.push({
        path: 'trigger.field',
        message: `'${trigger.field}' is not a date or date-time field of ${trigger.collection}`,
      });
  }
}

export async function checkRule(
  ctx: OperationContext,
  rule: { trigger: Trigger; conditions: unknown; actions: readonly Action[] },
): Promise<void> {
  const out: Checked = { errors: [] };
  checkTrigger(ctx.registry, rule.trigger, out);
  const subject = subjectOf(ctx.registry, rule.trigger);
  if (subject) needScope(ctx, `read:${subject.collection}`, out);
  if (rule.conditions !== null && rule.conditions !== undefined)
    out.errors.push(...conditionProblems(rule.conditions, (path) => pathProblem(subject, path)));
  checkSteps(ctx, subject, rule.actions, 'actions', out);
  await finishChecks(ctx, rule.actions, 'actions', out, 'rule');
}
