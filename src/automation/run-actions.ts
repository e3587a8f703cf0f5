// What each action of a rule does, inside the transaction of its step: records are written by
// the API's own operations (validation, lifecycle, events), and what leaves (mail, texts,
// pushes, webhooks) is queued in the outboxes in that same transaction. So a step and its
// effects commit together or not at all, and a step retried after a crash never sends twice.
import { z } from 'zod';
import { ApiError, notFound, validationFailed } from '../platform/errors.ts';
import { hasScope } from '../platform/operations/principal.ts';
import { lockRowOrThrow, loadRowOrThrow } from '../platform/operations/load-row.ts';
import { updateValidated } from '../platform/operations/update.ts';
import { parseActionInput, runActionInTransaction } from '../platform/operations/run-action.ts';
import { parseUpdateInput } from '../platform/operations/write-input.ts';
import { appendEvent } from '../platform/events/append-event.ts';
import { actorOf } from '../audit/actor.ts';
import type { OperationContext, ResourceDefinition } from '../platform/contract.ts';
import type { About } from '../delivery/delivery-log.ts';
import { e164, queueSms } from '../delivery/sms/sms-outbox.ts';
import { activeMembersNamed, notifyMember } from '../delivery/notify/notify-member.ts';
import { contactsOf } from '../messaging/sms-opt-out.ts';
import { renderEmail, type EmailTemplateParts } from '../messaging/email-rendering.ts';
import { queueEmail } from '../messaging/channel-adapters.ts';
import { WEBHOOK_CHANNEL } from '../webhooks/webhook-schema.ts';
import type { RunScope } from './conditions.ts';
import { renderValue } from './run-scope.ts';
import type { Action } from './rule-schema.ts';
import { insertRun } from './run-records.ts';
import { requestRunApproval } from './run-approvals.ts';

/** A step as it runs: its transaction's context (with the rule's scopes), what it reads, its run. */
export interface StepContext {
  ctx: OperationContext;
  scope: RunScope;
  subject: ResourceDefinition | null;
  runId: string;
  /** The rule or workflow it runs. */
  ruleId: string;
  /** How many runs acted before it in this chain. */
  depth: number;
}

/** What performAction does: a step that acts (branches and jumps are the engine's own). */
export type ActingStep = Exclude<Action, { type: 'branch' }>;

export type ActionResult = Record<string, unknown>;

function requireScope(step: StepContext, scope: string): void {
  if (!hasScope(step.ctx.principal, scope))
    throw new ApiError('insufficient_scope', `The rule no longer holds the scope '${scope}'`, {
      required_scope: scope,
    });
}

/** The run's object: the subject collection and the id its event named. */
function target(step: StepContext): { resource: ResourceDefinition; id: string } {
  const id = step.scope.object.id;
  if (!step.subject || typeof id !== 'string')
    throw validationFailed([{ path: 'object', message: 'the run has no object' }]);
  return { resource: step.subject, id };
}

const about = (step: StepContext): About =>
  step.subject && typeof step.scope.object.id === 'string'
    ? { collection: step.subject.collection, id: step.scope.object.id }
    : { collection: 'automation-runs', id: step.runId };

const emailAddress = z.email();

async function sendMessage(step: StepContext, action: Extract<Action, { type: 'send_message' }>) {
  requireScope(step, 'write:messages');
  const { ctx, scope } = step;
  const to = String(renderValue(action.to, scope) ?? '').trim();
  if (action.channel === 'sms') {
    const number = e164(to);
    if (!number) throw validationFailed([{ path: 'to', message: `'${to}' is not a phone number` }]);
    const optedOut = (await contactsOf(ctx, null, number)).filter((contact) => contact.sms_opt_out === true);
    if (optedOut.length) return { skipped: 'opted_out', to: number, contact_ids: optedOut.map((c) => c.id) };
    const body = String(renderValue(action.body, scope));
    return { to: number, delivery_id: queueSms(ctx, { to: number, body, about: about(step) }) };
  }
  if (!emailAddress.safeParse(to).success)
    throw validationFailed([{ path: 'to', message: `'${to}' is not an email address` }]);
  const optedOut = await ctx.tx.query<{ id: string }>({
    sql: `SELECT id FROM contacts WHERE account_id = $1 AND deleted_at IS NULL AND lower(email) = lower($2)
             AND email_opt_out ORDER BY id`,
    parameters: [ctx.tx.accountId, to],
  });
  if (optedOut.length) return { skipped: 'opted_out', to, contact_ids: optedOut.map((c) => c.id) };
  const template: EmailTemplateParts = action.template_id
    ? ((await loadRowOrThrow(ctx, ctx.registry.get('email-templates'), action.template_id)) as EmailTemplateParts)
    : { subject: action.subject!, text_body: action.body! };
  const mail = renderEmail(template, scope as unknown as Record<string, unknown>);
  // Through the account's connected mailbox (its default one) when it has one, like its messages; else SMTP.
  const deliveryId = queueEmail(ctx, { to, subject: mail.subject, text: mail.text, html: mail.html }, about(step));
  return { to, delivery_id: deliveryId };
}

async function notifyUsers(step: StepContext, action: Extract<Action, { type: 'notify_users' }>) {
  requireScope(step, 'write:notifications');
  const { ctx, scope } = step;
  const members = await activeMembersNamed(ctx, action.user_ids ?? [], action.roles ?? []);
  const title = String(renderValue(action.title, scope));
  const body = String(renderValue(action.body, scope));
  for (const userId of members)
    await notifyMember(ctx, {
      userId,
      kind: 'automation',
      category: 'system',
      title,
      body,
      about: about(step),
    });
  return { user_ids: members };
}

/** An `automation.webhook` event, queued for the one endpoint (the fan-out trigger leaves this type alone). */
async function callWebhook(step: StepContext, action: Extract<Action, { type: 'call_webhook' }>) {
  requireScope(step, 'write:webhook-endpoints');
  const { ctx, scope } = step;
  const endpoint = await loadRowOrThrow(ctx, ctx.registry.get('webhook-endpoints'), action.endpoint_id);
  if (endpoint.status !== 'enabled')
    throw new ApiError('conflict', `Webhook endpoint '${endpoint.id}' is disabled; recover or enable it`);
  const object = {
    object: 'automation_webhook',
    rule_id: step.ruleId,
    run_id: step.runId,
    event: scope.event,
    data: scope.record ?? scope.object,
  };
  const eventId = appendEvent(ctx.tx, {
    type: 'automation.webhook',
    object,
    now: ctx.now,
    actor: actorOf(ctx.principal),
  });
  ctx.tx.defer({
    sql: `INSERT INTO webhook_queue (account_id, event_id, endpoint_id, status, attempts, next_attempt_at, created_at,
            updated_at) VALUES ($1, $2, $3, 'pending', 0, $4, $4, $4)`,
    parameters: [ctx.tx.accountId, eventId, endpoint.id, ctx.now],
  });
  ctx.tx.defer({ sql: `SELECT pg_notify('${WEBHOOK_CHANNEL}', '')`, parameters: [] });
  return { event_id: eventId, endpoint_id: endpoint.id };
}

/** Does one action; answers what it did. A delay does nothing here: the engine waits. */
export async function performAction(step: StepContext, action: ActingStep): Promise<ActionResult> {
  const { ctx, scope } = step;
  switch (action.type) {
    case 'update_record': {
      const { resource, id } = target(step);
      requireScope(step, `write:${resource.collection}`);
      const patch = parseUpdateInput(resource, renderValue(action.fields, scope));
      await updateValidated(ctx, resource, await lockRowOrThrow(ctx, resource, id), patch);
      return { object_id: id, fields: Object.keys(patch) };
    }
    case 'create_record': {
      requireScope(step, `write:${action.collection}`);
      const row = await ctx.create(action.collection, renderValue(action.fields, scope));
      return { collection: action.collection, id: row.id };
    }
    case 'run_action': {
      const { resource, id } = target(step);
      requireScope(step, `write:${resource.collection}`);
      const spec = resource.actions[action.action];
      if (!spec || spec.internal) throw notFound(`action on ${resource.collection}`, action.action);
      const input = parseActionInput(spec, renderValue(action.input ?? {}, scope));
      const { response } = await runActionInTransaction(ctx, resource, id, action.action, input);
      // An approval policy may hold it: the run goes on, the action waits for its decision.
      const held = response?.status === 202 ? { held_for_approval: response.data.id } : {};
      return { object_id: id, action: action.action, ...held };
    }
    case 'send_message':
      return sendMessage(step, action);
    case 'notify_users':
      return notifyUsers(step, action);
    case 'call_webhook':
      return callWebhook(step, action);
    case 'delay':
      return { seconds: action.seconds };
    case 'request_approval': {
      const approval = await requestRunApproval(ctx, {
        runId: step.runId,
        about: about(step),
        userIds: action.user_ids ?? [],
        roles: action.roles ?? [],
        summary: String(renderValue(action.summary, scope)),
      });
      return { approval_id: approval.id };
    }
    case 'start_workflow':
      return startWorkflow(step, action.workflow_id);
  }
}

/** A run of the workflow with this run's object, queued in this step's transaction (so once). */
async function startWorkflow(step: StepContext, workflowId: string): Promise<ActionResult> {
  requireScope(step, 'write:workflows');
  const { ctx, scope, subject } = step;
  const workflow = await loadRowOrThrow(ctx, ctx.registry.get('workflows'), workflowId);
  if (!workflow.enabled) throw new ApiError('conflict', `Workflow '${workflowId}' is disabled`);
  const objectId = typeof scope.object.id === 'string' ? scope.object.id : null;
  const sameRecord = subject && workflow.collection === subject.collection && objectId;
  const runId = await insertRun(ctx, {
    workflow,
    status: 'queued',
    trigger: 'workflow',
    objectCollection: sameRecord ? subject.collection : null,
    objectId: sameRecord ? objectId : null,
    input: sameRecord ? null : scope.object,
    depth: step.depth + 1,
    now: ctx.now,
  });
  return { workflow_id: workflowId, run_id: runId };
}
