// The checks of a rule's or a workflow's actions when it is saved: the collections, fields,
// actions and ids they name exist, their templates read real paths, branches nest at most 3
// deep, and the saver holds every scope they use (runs act with the saver's scopes, never more).
import { ApiError, type FieldError } from '../platform/errors.ts';
import { hasScope } from '../platform/operations/principal.ts';
import { zodIssuesToFieldErrors } from '../platform/operations/write-input.ts';
import type { OperationContext, ResourceDefinition } from '../platform/contract.ts';
import { plainTextNames, TemplateProblem } from '../messaging/email-rendering.ts';
import { conditionProblems } from './conditions.ts';
import { actionSchema, type Action } from './rule-schema.ts';
import { pathProblem, type Subject } from './subject.ts';

export interface Checked {
  errors: FieldError[];
  /** The first scope the saver lacks. */
  missingScope?: string;
}

/** Branches nest this deep at most. */
const MAX_BRANCH_DEPTH = 3;

/** Checks each string of `value` as a template over the run's scope. */
function checkTemplates(subject: Subject, value: unknown, path: string, out: Checked): void {
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

export function needScope(ctx: OperationContext, scope: string, out: Checked): void {
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

/** The roles a step names exist, and it names someone. */
function checkMembersNamed(
  ctx: OperationContext,
  action: { user_ids?: string[]; roles?: string[] },
  path: string,
  out: Checked,
): void {
  const roles = ctx.registry.get('users').fields.role?.enumValues ?? [];
  action.roles?.forEach((role, i) => {
    if (!roles.includes(role))
      out.errors.push({ path: `${path}.roles.${i}`, message: `'${role}' is not a role (${roles.join(', ')})` });
  });
  if (!action.roles?.length && !action.user_ids?.length)
    out.errors.push({ path: `${path}.user_ids`, message: 'name users, roles or both' });
}

function checkAction(
  ctx: OperationContext,
  subject: Subject,
  action: Action,
  path: string,
  out: Checked,
  depth: number,
): void {
  const { registry } = ctx;
  const needsSubject = action.type === 'update_record' || action.type === 'run_action';
  if (needsSubject && (!subject || subject === 'input')) {
    out.errors.push({
      path: `${path}.type`,
      message: `'${action.type}' needs a record; this trigger or workflow has none`,
    });
    return;
  }
  const record = subject as ResourceDefinition; // a collection's, where needsSubject
  // A branch's own steps are checked as steps, with their own templates.
  if (action.type !== 'branch') checkTemplates(subject, action, path, out);
  switch (action.type) {
    case 'update_record':
      if (!record.operations.has('update'))
        out.errors.push({ path: `${path}.type`, message: `${record.collection} cannot be updated` });
      checkFields(record, action.fields, `${path}.fields`, out);
      return needScope(ctx, `write:${record.collection}`, out);
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
      const spec = record.actions[action.action];
      if (!spec || spec.internal)
        out.errors.push({
          path: `${path}.action`,
          message: `'${action.action}' is not an action of ${record.collection}`,
        });
      return needScope(ctx, `write:${record.collection}`, out);
    }
    case 'send_message':
      if (!action.body && !action.template_id)
        out.errors.push({ path: `${path}.body`, message: 'a body, or a template_id, is required' });
      if (action.channel === 'sms' && action.template_id)
        out.errors.push({ path: `${path}.template_id`, message: 'email templates send email only' });
      if (action.channel === 'email' && !action.subject && !action.template_id)
        out.errors.push({ path: `${path}.subject`, message: 'an email needs a subject, or a template_id' });
      return needScope(ctx, 'write:messages', out);
    case 'notify_users':
      checkMembersNamed(ctx, action, path, out);
      return needScope(ctx, 'write:notifications', out);
    case 'request_approval':
      // Anyone may ask; only the members named decide.
      return checkMembersNamed(ctx, action, path, out);
    case 'call_webhook':
      return needScope(ctx, 'write:webhook-endpoints', out);
    case 'delay':
      return;
    case 'start_workflow':
      return needScope(ctx, 'write:workflows', out);
    case 'branch':
      if (depth >= MAX_BRANCH_DEPTH)
        return void out.errors.push({ path, message: `branches nest at most ${MAX_BRANCH_DEPTH} deep` });
      out.errors.push(...conditionProblems(action.if, (p) => pathProblem(subject, p), `${path}.if`));
      checkSteps(ctx, subject, action.then, `${path}.then`, out, depth + 1);
      if (action.else) checkSteps(ctx, subject, action.else, `${path}.else`, out, depth + 1);
      return;
  }
}

/** Checks a list of steps; nested ones (a branch's) are parsed here, with their paths. */
export function checkSteps(
  ctx: OperationContext,
  subject: Subject,
  steps: readonly unknown[],
  path: string,
  out: Checked,
  depth = 0,
): void {
  steps.forEach((step, i) => {
    const parsed = actionSchema.safeParse(step);
    if (!parsed.success) out.errors.push(...zodIssuesToFieldErrors(parsed.error.issues, `${path}.${i}.`));
    else checkAction(ctx, subject, parsed.data, `${path}.${i}`, out, depth);
  });
}

/** Ids steps name that must exist in the account: [path, collection, id]. */
function namedIds(actions: readonly Action[], at = 'actions'): [string, string, string][] {
  return actions.flatMap((action, i): [string, string, string][] => {
    if (action.type === 'branch')
      return [
        ...namedIds(action.then as Action[], `${at}.${i}.then`),
        ...namedIds((action.else ?? []) as Action[], `${at}.${i}.else`),
      ];
    if (action.type === 'start_workflow') return [[`${at}.${i}.workflow_id`, 'workflows', action.workflow_id]];
    if (action.type === 'call_webhook') return [[`${at}.${i}.endpoint_id`, 'webhook-endpoints', action.endpoint_id]];
    if (action.type === 'send_message' && action.template_id)
      return [[`${at}.${i}.template_id`, 'email-templates', action.template_id]];
    if (action.type === 'notify_users' || action.type === 'request_approval')
      return (action.user_ids ?? []).map((id, j) => [`${at}.${i}.user_ids.${j}`, 'users', id]);
    return [];
  });
}

/** Every id the steps name exists, then: the first missing scope (403), else every problem (422). */
export async function finishChecks(
  ctx: OperationContext,
  steps: readonly Action[],
  at: string,
  out: Checked,
  saved: string,
): Promise<void> {
  for (const [path, collection, id] of namedIds(steps, at)) {
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
      `This ${saved} needs the scope '${out.missingScope}', which your credential lacks: ` +
        `a ${saved} acts with its saver's scopes`,
      { required_scope: out.missingScope },
    );
  if (out.errors.length) {
    const detail = out.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new ApiError('validation_failed', detail, { errors: out.errors });
  }
}
