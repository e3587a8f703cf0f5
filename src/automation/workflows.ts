// Workflows: named, versioned sequences of the same steps rules run (branches included), started
// by hand (`POST /v1/workflows/{id}/trigger` with a record or an input object) or by a rule's
// `start_workflow` step. A run keeps the version it started with; every save of new steps is a
// new version. Workflows that would start each other in a circle are refused when saved.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { savedBy, savedByFields } from './saved-by.ts';
import { notFound, validationFailed } from '../platform/errors.ts';
import { loadRowOrThrow } from '../platform/operations/load-row.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { selectRow } from '../platform/operations/row-statements.ts';
import type { OperationContext } from '../platform/contract.ts';
import type { Row } from '../db/database.ts';
import { actionsSchema, NOTIFY_OWNERS_EXAMPLE, type Action } from './rule-schema.ts';
import { checkSteps, finishChecks, needScope, type Checked } from './action-checks.ts';
import { insertRun } from './run-records.ts';
import { automationRuns } from './automation-runs.ts';

/** The workflows `steps` start, with each one's path. */
function startsIn(steps: readonly Action[], at = 'steps'): [string, string][] {
  return steps.flatMap((step, i): [string, string][] => {
    if (step.type === 'start_workflow') return [[`${at}.${i}.workflow_id`, step.workflow_id]];
    if (step.type !== 'branch') return [];
    return [
      ...startsIn(step.then as Action[], `${at}.${i}.then`),
      ...startsIn((step.else ?? []) as Action[], `${at}.${i}.else`),
    ];
  });
}

/** The path of a step through which the workflow would, sooner or later, start itself. */
async function circlePath(ctx: OperationContext, id: string, steps: readonly Action[]): Promise<string | null> {
  const others = await ctx.tx.query<{ id: string; steps: Action[] }>({
    sql: 'SELECT id, steps FROM workflows WHERE account_id = $1 AND id <> $2 AND deleted_at IS NULL',
    parameters: [ctx.tx.accountId, id],
  });
  const startsOf = new Map(others.map((w) => [w.id, startsIn(w.steps).map(([, target]) => target)]));
  for (const [path, first] of startsIn(steps)) {
    const seen = new Set<string>();
    for (const queue = [first]; queue.length;) {
      const next = queue.pop()!;
      if (next === id) return path;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(startsOf.get(next) ?? []));
    }
  }
  return null;
}

async function checkWorkflow(ctx: OperationContext, row: Row): Promise<void> {
  const out: Checked = { errors: [] };
  const subject = row.collection ? ctx.registry.resources.find((r) => r.collection === row.collection) : null;
  if (row.collection && !subject)
    out.errors.push({ path: 'collection', message: `'${row.collection}' is not a collection` });
  if (subject) needScope(ctx, `read:${subject.collection}`, out);
  // Without a collection, a run's object is the input it is given, of any shape.
  checkSteps(ctx, row.collection ? (subject ?? null) : 'input', row.steps, 'steps', out);
  const circle = await circlePath(ctx, row.id, row.steps);
  if (circle) out.errors.push({ path: circle, message: 'starts a workflow that starts this one again (a circle)' });
  await finishChecks(ctx, row.steps, 'steps', out, 'workflow');
}

const triggerInput = z
  .object({
    object_id: z.string().min(1).max(64).optional().describe('A record of the workflow’s collection.'),
    input: z.record(z.string(), z.unknown()).optional().describe('Or an object of your own, as `object`.'),
  })
  .strict();

export const workflows = defineResource({
  name: 'workflow',
  collection: 'workflows',
  idPrefix: 'wf',
  description:
    'A named, versioned sequence of steps (the actions of automation rules, branches included), started by hand or ' +
    "by a rule. It acts with its saver's scopes; its runs are `automation-runs`.",
  softDelete: true,
  feature: 'automations',
  fields: {
    name: field.text({ max: 200 }).required().searchable().sortable().example('Follow up a finished job'),
    description: field.text({ max: 2000 }),
    collection: field.text({ max: 64 }).describe('The collection of the record it works on (null: an input object).'),
    steps: field
      .json(actionsSchema)
      .required()
      .example(NOTIFY_OWNERS_EXAMPLE)
      .describe('What a run does, in order; a failed step stops the run.'),
    enabled: field.boolean().default(true).filterable(),
    version: field.integer({ min: 1 }).readOnly().describe('1, then one more at each save that changes its steps.'),
    ...savedByFields,
  },
  hooks: {
    validate: async ({ row, ctx }) => checkWorkflow(ctx, row),
    stamp: async ({ row, previous, ctx }) => ({
      ...savedBy(ctx),
      version: !previous
        ? 1
        : JSON.stringify(previous.steps) === JSON.stringify(row.steps)
          ? previous.version
          : (previous.version ?? 1) + 1,
    }),
  },
  endpoints: [
    {
      method: 'post',
      path: '/{id}/trigger',
      operationId: 'triggerWorkflow',
      summary: 'Start a run of a workflow by hand',
      description:
        'With `object_id` (a record of its collection) or `input` (any object): queued now, run by the engine ' +
        'within a second. Answers the run.',
      input: triggerInput,
      respondsWith: 'automation-runs',
      async run({ input, params, ctx }) {
        const workflow = await loadRowOrThrow(ctx, ctx.registry.get('workflows'), params.id!);
        if (!workflow.enabled) throw validationFailed([{ path: 'id', message: 'the workflow is disabled' }]);
        if (input.object_id && !workflow.collection)
          throw validationFailed([{ path: 'object_id', message: 'this workflow takes an input object, not a record' }]);
        if (input.object_id) await loadRowOrThrow(ctx, ctx.registry.get(workflow.collection!), input.object_id);
        const runId = await insertRun(
          ctx,
          {
            workflow,
            status: 'queued',
            trigger: 'manual',
            objectCollection: input.object_id ? workflow.collection : null,
            objectId: input.object_id ?? null,
            input: input.input ?? null,
            depth: 0,
            now: ctx.now,
          },
          { refuse: true },
        );
        const [run] = await ctx.tx.query(selectRow(automationRuns, ctx.tx.accountId, String(runId)));
        if (!run) throw notFound('automation run', String(runId));
        return serialize(automationRuns, run);
      },
    },
  ],
});
