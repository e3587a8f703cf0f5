// One run of an automation rule: what started it, whether its conditions held, and each action
// as it ran (its result or its error). Written by the engine only; a run still to finish can be
// cancelled, and it stops before its next action.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { withdrawRunApprovals } from './run-approvals.ts';

export const RUN_STATUSES = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'skipped', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Runs that still have actions ahead of them. */
export const UNFINISHED: readonly RunStatus[] = ['queued', 'running', 'waiting'];

export const stepSchema = z.object({
  action: z.string().describe('The action’s type: `update_record`, `send_message`, `branch`, ...'),
  status: z.enum(['succeeded', 'failed']),
  started_at: z.string(),
  finished_at: z.string(),
  result: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('What it did: ids of what it wrote or queued; for a branch, `took` (`then` or `else`).'),
  error: z.string().nullable(),
});
export type StepRecord = z.infer<typeof stepSchema>;

export const automationRuns = defineResource({
  name: 'automation_run',
  collection: 'automation-runs',
  idPrefix: 'arun',
  description:
    "One run of an automation rule: its trigger, whether its conditions held, and each action's result or error.",
  operations: ['list', 'get'],
  limitedBecause:
    'Runs are started by their rules’ triggers (test a rule to see what it would do) and written by the engine.',
  listedUnder: [
    { collection: 'automation-rules', segment: 'runs', field: 'rule_id' },
    { collection: 'workflows', segment: 'runs', field: 'workflow_id' },
  ],
  lifecycle: { field: 'status' },
  fields: {
    rule_id: field.ref('automation-rules').readOnly().filterable(['eq', 'in']).describe('The rule it runs, if a rule.'),
    workflow_id: field.ref('workflows').readOnly().filterable(['eq', 'in']).describe('The workflow it runs, if one.'),
    workflow_version: field.integer({ min: 1 }).readOnly().describe('The version of the workflow it runs.'),
    status: field
      .enum(RUN_STATUSES)
      .readOnly()
      .filterable()
      .describe(
        '`queued` (not started), `running`, `waiting` (a delay, or an approval it asked for), `succeeded`, ' +
          '`failed` (see `error`), `skipped` (a schedule or date whose conditions did not hold), `cancelled`. ' +
          'An event the conditions pass over makes no run.',
      ),
    trigger: field
      .enum(['event', 'schedule', 'relative', 'manual', 'workflow'])
      .readOnly()
      .filterable()
      .describe('What started it: an event, a schedule, a date, a person (`manual`) or another run (`workflow`).'),
    event_id: field.ref('events').readOnly().filterable(['eq', 'in']).describe('The event that started it.'),
    event_type: field.text().readOnly().filterable(['eq', 'in', 'starts_with']),
    object_collection: field.text().readOnly().describe('The collection of the object it is about.'),
    object_id: field.text().readOnly().filterable(['eq', 'in']).describe('The object it is about, if any.'),
    input: field
      .json(z.record(z.string(), z.unknown()))
      .readOnly()
      .describe('The object a workflow was started with by hand, when no record of the API.'),
    depth: field
      .integer({ min: 0 })
      .readOnly()
      .describe('How many rules acted before it in this chain (0: a person’s or an app’s change started it).'),
    next_step: field.integer({ min: 0 }).readOnly().default(0).describe('The index of the next action to run.'),
    steps: field.json(z.array(stepSchema)).readOnly().describe('Each action run so far, in order.'),
    run_after: field.datetime().readOnly().describe('When it continues (after a delay or a retry).'),
    attempts: field.integer({ min: 0 }).readOnly().default(0).describe('Tries of its current action that failed.'),
    error: field.text().readOnly(),
    started_at: field.datetime().readOnly(),
    finished_at: field.datetime().readOnly().sortable(),
  },
  actions: {
    cancel: {
      summary: 'Cancel a run',
      description:
        'The run stops before its next action; what it did stays done. An approval it waits for is withdrawn.',
      from: ['queued', 'running', 'waiting'],
      to: 'cancelled',
      event: 'cancelled',
      apply: ({ row, ctx }) => {
        withdrawRunApprovals(ctx, row.id);
        return { finished_at: ctx.now, run_after: null };
      },
    },
  },
});
