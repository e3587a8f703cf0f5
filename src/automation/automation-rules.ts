// Automation rules: when something happens (an event, a schedule, a date coming up) and the
// conditions hold, do these actions. A rule acts with the scopes of whoever saved it last (its
// saver's, never more), which its checks prove it may use. The engine (automation-engine.ts)
// runs it; `POST /v1/automation-rules/{id}/test` shows what it would do, doing nothing.
import { z } from 'zod';
import { Cron } from 'croner';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { savedBy, savedByFields } from './saved-by.ts';
import { loadBranding } from '../delivery/branding.ts';
import type { OperationContext } from '../platform/contract.ts';
import { OPERATORS, type Condition } from './conditions.ts';
import { eventFilter } from './event-filter.ts';
import { actionsSchema, NOTIFY_OWNERS_EXAMPLE, triggerSchema, type Trigger } from './rule-schema.ts';
import { checkRule } from './rule-checks.ts';
import { AUTOMATION_SCHEMA } from './automation-schema.ts';
import { dryRunInput, dryRunResult, dryRun } from './dry-run.ts';

const CONDITIONS_DOC =
  'When the rule acts, as JSON: `{"field": "object.total", "op": "gt", "value": 50000}`, or `{"and": [...]}`, ' +
  `\`{"or": [...]}\`, \`{"not": {...}}\` (at most 50 conditions, 6 levels). Operators: ${OPERATORS.join(', ')}. ` +
  'Paths start at `object` (the event’s object), `previous` (its attributes before an update), `record` (the ' +
  'object as it is now) or `event` (`type`, `id`). Null: always.';

/** Keeps the rule's event filter (automation-schema.ts) in step with its conditions. */
function storeEventFilter(ctx: OperationContext, row: { id: string; conditions: unknown }): void {
  ctx.tx.defer({
    sql: 'UPDATE automation_rules SET event_filter = $3 WHERE account_id = $1 AND id = $2',
    parameters: [ctx.tx.accountId, row.id, eventFilter(row.conditions as Condition | null)],
  });
}

/** When a schedule next fires, in the account's time zone. */
async function nextScheduledRun(ctx: OperationContext, trigger: Trigger): Promise<string | null> {
  if (trigger.type !== 'schedule') return null;
  const { time_zone } = await loadBranding(ctx.tx);
  return (
    new Cron(trigger.cron, { paused: true, timezone: time_zone }).nextRun(new Date(ctx.now))?.toISOString() ?? null
  );
}

export const automationRules = defineResource({
  name: 'automation_rule',
  collection: 'automation-rules',
  idPrefix: 'arule',
  description:
    'When an event happens, a schedule fires or a date comes up, and its conditions hold, the rule runs its ' +
    'actions: update or create records, run an action, message someone, notify members, call a webhook, ' +
    "wait. It acts with its saver's scopes.",
  softDelete: true,
  feature: 'automations',
  fields: {
    name: field.text({ max: 200 }).required().searchable().sortable().example('Tell the owners when a job is done'),
    description: field.text({ max: 2000 }),
    enabled: field.boolean().default(true).filterable(),
    trigger: field
      .json(triggerSchema)
      .required()
      .example({ type: 'event', event: 'job.completed' })
      .describe('What starts a run: `{"type": "event", "event": "job.completed"}`, a cron schedule or a date field.'),
    conditions: field.json(z.record(z.string(), z.unknown())).describe(CONDITIONS_DOC),
    actions: field
      .json(actionsSchema)
      .required()
      .example(NOTIFY_OWNERS_EXAMPLE)
      .describe('What a run does, in order (1 to 20); a failed action stops the run.'),
    trigger_event: field
      .text()
      .readOnly()
      .filterable(['eq', 'in', 'is_null'])
      .describe('The event type of an event trigger (null for the others).'),
    next_run_at: field.datetime().readOnly().describe('When a schedule next fires.'),
    checked_until: field
      .datetime()
      .readOnly()
      .describe('For a date trigger: objects whose time arrived up to here have been run for.'),
    ...savedByFields,
  },
  hooks: {
    compute: (row) => ({ trigger_event: row.trigger.type === 'event' ? row.trigger.event : null }),
    validate: async ({ row, ctx }) => checkRule(ctx, row),
    afterCreate: async ({ row, ctx }) => storeEventFilter(ctx, row),
    afterUpdate: async ({ row, ctx }) => storeEventFilter(ctx, row),
    stamp: async ({ row, previous, ctx }) => {
      const retriggered = JSON.stringify(previous?.trigger) !== JSON.stringify(row.trigger);
      return {
        ...savedBy(ctx),
        ...(retriggered && {
          next_run_at: await nextScheduledRun(ctx, row.trigger),
          // A date trigger looks ahead from its saving: what came up before is not run for.
          checked_until: row.trigger.type === 'relative' ? ctx.now : null,
        }),
      };
    },
  },
  endpoints: [
    {
      method: 'post',
      path: '/{id}/test',
      operationId: 'testAutomationRule',
      summary: 'Show what a rule would do, doing nothing',
      description:
        'Evaluates the rule against an event (`event_id`), an object you give (`object`), or else the latest ' +
        'event of its trigger type, and answers whether its conditions hold and each action as it would run ' +
        '(templates rendered). Nothing is written or sent.',
      input: dryRunInput,
      answers: dryRunResult,
      access: 'read',
      run: ({ input, params, ctx }) => dryRun(ctx, params.id!, input),
    },
  ],
  schema: AUTOMATION_SCHEMA,
});
