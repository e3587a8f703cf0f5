// What a rule may say, judged when it is saved: every event type, collection, field, action and
// template path it names must exist, and whoever saves it must hold the scopes its actions use
// (a rule acts with its saver's scopes, never more). Problems answer 422 with each one's path;
// a missing scope answers 403 naming it. Nothing is saved either way.
import { Cron } from 'croner';
import { ApiError, type FieldError } from '../platform/errors.ts';
import { hasScope } from '../platform/operations/principal.ts';
import type { OperationContext, Registry, ResourceDefinition } from '../platform/contract.ts';
import { plainTextNames, TemplateProblem } from '../messaging/email-rendering.ts';
import { conditionProblems, PATH_ROOTS } from './conditions.ts';
import type { Action, Trigger } from './rule-schema.ts';

const SYSTEM_FIELDS = ['id', 'created_at', 'updated_at'];
const EVENT_MEMBERS = ['id', 'type', 'created_at'];

/** The collection whose object a run of this trigger is about (none for a schedule). */
export function subjectOf(registry: Registry, trigger: Trigger): ResourceDefinition | null {
  const collection =
    trigger.type === 'event'
      ? registry.eventTypes().find((type) => type.type === trigger.event)?.collection
      : trigger.type === 'relative'
        ? trigger.collection
        : undefined;
  return collection && registry.resources.some((r) => r.collection === collection) ? registry.get(collection) : null;
}

/** A path's problem, or null: `object.status` must be a field of the subject. */
export function pathProblem(subject: ResourceDefinition | null, path: string): string | null {
  const [root, name, ...rest] = path.split('.');
  if (!(PATH_ROOTS as readonly string[]).includes(root))
    return `'${path}' must start with ${PATH_ROOTS.map((r) => `'${r}.'`).join(', ')}`;
  if (!name) return `'${path}' names no field`;
  if (root === 'event')
    return EVENT_MEMBERS.includes(name) && !rest.length ? null : `'event' has only ${EVENT_MEMBERS}`;
  if (!subject) return `'${path}': this trigger has no object (a schedule); only 'event.' paths`;
  if (SYSTEM_FIELDS.includes(name)) return rest.length ? `'${path}': ${name} has no members` : null;
  const spec = subject.fields[name];
  if (!spec || spec.writeOnly) return `'${name}' is not a field of ${subject.collection}`;
  if (rest.length && spec.kind !== 'json') return `'${path}': ${name} has no members`;
  return null;
}

interface Checked {
  errors: FieldError[];
  /** The first scope the saver lacks. */
  missingScope?: string;
}

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

/** Checks each string of `value` as a template over the run's scope. */
function checkTemplates(subject: ResourceDefinition | null, value: unknown, path: string, out: Checked): void {
  if (typeof value === 'string') {
    try {
      for (const name of plainTextNames(value)) {
        const problem = pathProblem(subject, name);
        if (problem) out.errors.push({ path, message: problem });
      }
    } catch (error) {
      if (!(error instanceof TemplateProblem)) throw error;
      out.errors.push({ path, message: error.message });
    }
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) checkTemplates(subject, item, `${path}.${key}`, out);
  }
}

function needScope(ctx: OperationContext, scope: string, out: Checked): void {
  if (!out.missingScope && !hasScope(ctx.principal, scope)) out.missingScope = scope;
}

function checkFields(resource: ResourceDefinition, fields: Record<string, unknown>, path: string, out: Checked): void {
  for (const name of Object.keys(fields)) {
    const spec = resource.fields[name];
    if (!spec) out.errors.push({ path: `${path}.${name}`, message: `is not a field of ${resource.collection}` });
    else if (spec.access === 'readOnly')
      out.errors.push({ path: `${path}.${name}`, message: `is read-only in ${resource.collection}` });
  }
}

function checkAction(
  ctx: OperationContext,
  subject: ResourceDefinition | null,
  action: Action,
  path: string,
  out: Checked,
): void {
  const { registry } = ctx;
  const needsSubject = action.type === 'update_record' || action.type === 'run_action';
  if (needsSubject && !subject) {
    out.errors.push({ path: `${path}.type`, message: `'${action.type}' needs an object; this trigger has none` });
    return;
  }
  checkTemplates(subject, action, path, out);
  switch (action.type) {
    case 'update_record':
      if (!subject!.operations.has('update'))
        out.errors.push({ path: `${path}.type`, message: `${subject!.collection} cannot be updated` });
      checkFields(subject!, action.fields, `${path}.fields`, out);
      return needScope(ctx, `write:${subject!.collection}`, out);
    case 'create_record': {
      const resource = registry.resources.find((r) => r.collection === action.collection);
      if (!resource?.operations.has('create'))
        return void out.errors.push({ path: `${path}.collection`, message: `cannot create ${action.collection}` });
      checkFields(resource, action.fields, `${path}.fields`, out);
      for (const [name, spec] of Object.entries(resource.fields))
        if (spec.required && spec.defaultValue === undefined && !(name in action.fields))
          out.errors.push({ path: `${path}.fields.${name}`, message: `is required to create ${action.collection}` });
      return needScope(ctx, `write:${resource.collection}`, out);
    }
    case 'run_action': {
      const spec = subject!.actions[action.action];
      if (!spec || spec.internal)
        out.errors.push({
          path: `${path}.action`,
          message: `'${action.action}' is not an action of ${subject!.collection}`,
        });
      return needScope(ctx, `write:${subject!.collection}`, out);
    }
    case 'send_message':
      if (!action.body && !action.template_id)
        out.errors.push({ path: `${path}.body`, message: 'a body, or a template_id, is required' });
      if (action.channel === 'sms' && action.template_id)
        out.errors.push({ path: `${path}.template_id`, message: 'email templates send email only' });
      if (action.channel === 'email' && !action.subject && !action.template_id)
        out.errors.push({ path: `${path}.subject`, message: 'an email needs a subject, or a template_id' });
      return needScope(ctx, 'write:messages', out);
    case 'notify_users': {
      const roles = registry.get('users').fields.role?.enumValues ?? [];
      action.roles?.forEach((role, i) => {
        if (!roles.includes(role))
          out.errors.push({ path: `${path}.roles.${i}`, message: `'${role}' is not a role (${roles.join(', ')})` });
      });
      if (!action.roles?.length && !action.user_ids?.length)
        out.errors.push({ path: `${path}.user_ids`, message: 'name users, roles or both' });
      return needScope(ctx, 'write:notifications', out);
    }
    case 'call_webhook':
      return needScope(ctx, 'write:webhook-endpoints', out);
    case 'delay':
      return;
  }
}

/** Ids a rule names that must exist in the account: [path, collection, id]. */
function namedIds(actions: readonly Action[]): [string, string, string][] {
  return actions.flatMap((action, i): [string, string, string][] => {
    if (action.type === 'call_webhook') return [[`actions.${i}.endpoint_id`, 'webhook-endpoints', action.endpoint_id]];
    if (action.type === 'send_message' && action.template_id)
      return [[`actions.${i}.template_id`, 'email-templates', action.template_id]];
    if (action.type === 'notify_users')
      return (action.user_ids ?? []).map((id, j) => [`actions.${i}.user_ids.${j}`, 'users', id]);
    return [];
  });
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
  rule.actions.forEach((action, i) => checkAction(ctx, subject, action, `actions.${i}`, out));
  for (const [path, collection, id] of namedIds(rule.actions)) {
    if (id.includes('{{')) continue;
    const resource = ctx.registry.get(collection);
    const live = resource.softDelete ? ' AND deleted_at IS NULL' : '';
    const [found] = await ctx.tx.query({
      sql: `SELECT 1 FROM ${resource.table} WHERE account_id = $1 AND id = $2${live}`,
      parameters: [ctx.tx.accountId, id],
    });
    if (!found) out.errors.push({ path, message: `No such ${resource.name}: '${id}'` });
  }
  if (out.missingScope)
    throw new ApiError(
      'insufficient_scope',
      `This rule needs the scope '${out.missingScope}', which your credential lacks: ` +
        "a rule acts with its saver's scopes",
      { required_scope: out.missingScope },
    );
  if (out.errors.length) {
    const detail = out.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new ApiError('validation_failed', detail, { errors: out.errors });
  }
}
