// Runs a plan. Planning runs the reads at once (their picks bind the records later steps name)
// and leaves the writes `planned`; executing, once confirmed, reads every bound record again
// (it must still exist, and a note appends to what it holds now) and runs the writes in order,
// stopping at the first that fails. A step beyond the caller's scopes is `not_allowed` and
// nothing of the plan is written.
import { ApiError } from '../platform/errors.ts';
import { pickOne, labelOf, resolveArguments, type Bindings, type Candidate, type Step, type StepSpec } from './plan.ts';
import { compactResult, summarize } from './step-results.ts';
import { isReadOnly, missingScope, runTool, type ToolContext } from './tool-runner.ts';

export interface Ambiguity {
  reference: string;
  message: string;
  candidates: Candidate[];
}

export interface PlanOutcome {
  steps: Step[];
  bindings: Bindings;
  ambiguities: Ambiguity[];
}

const blank = (spec: StepSpec, readOnly: boolean, args: Record<string, unknown>): Step => ({
  tool: spec.tool,
  purpose: spec.purpose,
  arguments: args,
  read_only: readOnly,
  status: 'skipped',
  summary: null,
  missing_scope: null,
  result: null,
  error: null,
  candidates: null,
});

const problemDetail = (problem: Record<string, unknown>) => String(problem.detail ?? problem.title ?? 'failed');

/** Runs the reads of `specs`, binding what they pick; writes stay `planned` (or `not_allowed`). */
export async function planSteps(ctx: ToolContext, specs: readonly StepSpec[], bindings: Bindings = new Map()) {
  const steps: Step[] = [];
  const ambiguities: Ambiguity[] = [];
  // Names later writes will bind when they run: steps waiting for them can still be planned.
  const promised = new Set<string>();
  let blocked = false;
  for (const spec of specs) {
    const tool = ctx.tools.get(spec.tool);
    const { resolved, missing } = resolveArguments(spec.arguments, bindings);
    if (!tool) {
      steps.push({ ...blank(spec, false, resolved), status: 'failed', summary: `There is no tool '${spec.tool}'` });
      blocked = true;
      continue;
    }
    const step = blank(spec, isReadOnly(tool), resolved);
    steps.push(step);
    const scope = missingScope(tool, ctx.principal);
    if (scope) {
      Object.assign(step, { status: 'not_allowed', missing_scope: scope, summary: `Needs the scope '${scope}'` });
      // A lookup that cannot run leaves its record unknown; a write's would only come when it runs.
      if (step.read_only) blocked = true;
      else if (spec.bind) promised.add(spec.bind);
      continue;
    }
    const waiting = missing.filter((name) => !promised.has(name));
    if (blocked || waiting.length) {
      step.summary = `Waits for the ${missing.join(' and ')} to be known`;
      continue;
    }
    if (!step.read_only || missing.length) {
      step.status = 'planned';
      if (spec.bind) promised.add(spec.bind);
      continue;
    }
    const outcome = await runTool(ctx, tool, resolved);
    if (!outcome.ok) {
      Object.assign(step, { status: 'failed', error: outcome.problem, summary: problemDetail(outcome.problem) });
      blocked = true;
      continue;
    }
    Object.assign(step, {
      status: 'done',
      result: compactResult(outcome.body),
      summary: summarize(outcome.body, spec.purpose),
    });
    if (!spec.bind) continue;
    const rows = Array.isArray(outcome.body.data)
      ? (outcome.body.data as Record<string, unknown>[])
      : [outcome.body.data as Record<string, unknown>];
    const picked = spec.pick ? pickOne(rows, spec.pick) : { picked: rows[0] };
    if ('picked' in picked && picked.picked) {
      const record = picked.picked;
      const collection = tool.operation.collection ?? '';
      bindings.set(spec.bind, { collection, id: String(record.id), label: labelOf(record), record, by: 'read' });
      continue;
    }
    const candidates = 'candidates' in picked ? picked.candidates : [];
    step.candidates = candidates;
    const noun = spec.pick?.noun ?? spec.bind;
    const said = spec.pick?.said ? ` matching “${spec.pick.said}”` : '';
    ambiguities.push({
      reference: spec.bind,
      message: candidates.length
        ? `${candidates.length} records could be the ${noun}${said}: say which`
        : `No ${noun}${said} was found`,
      candidates,
    });
    blocked = true;
  }
  return { steps, bindings, ambiguities } satisfies PlanOutcome;
}

/** The get tool of a collection (`customers` -> `customers_get`). */
function getToolOf(ctx: ToolContext, collection: string) {
  for (const tool of ctx.tools.values())
    if (tool.operation.kind === 'get' && tool.operation.collection === collection) return tool;
  return undefined;
}

/**
 * Reads each record the plan's lookups bound again, as the caller: gone (or no longer readable),
 * the plan cannot run (409). Fresh records replace the bound ones, so notes append to today's text.
 */
export async function refreshBindings(ctx: ToolContext, bindings: Bindings): Promise<void> {
  for (const [name, binding] of bindings) {
    if (binding.by !== 'read') continue;
    const tool = getToolOf(ctx, binding.collection);
    const outcome = tool ? await runTool(ctx, tool, { id: binding.id }) : null;
    if (!outcome?.ok)
      throw new ApiError(
        'conflict',
        `The ${name} “${binding.label}” (${binding.id}) is no longer there: say the command again`,
      );
    binding.record = outcome.body.data as Record<string, unknown>;
  }
}

/** Runs the planned writes of `steps` in order; the first failure skips the rest. */
export async function executeSteps(ctx: ToolContext, specs: readonly StepSpec[], steps: Step[], bindings: Bindings) {
  let failed = false;
  for (const [index, spec] of specs.entries()) {
    const step = steps[index];
    if (step.status !== 'planned') continue;
    const tool = ctx.tools.get(spec.tool)!;
    const { resolved, missing } = resolveArguments(spec.arguments, bindings);
    step.arguments = resolved;
    if (failed || missing.length) {
      Object.assign(step, { status: 'skipped', summary: failed ? 'Not run: an earlier step failed' : step.summary });
      continue;
    }
    const outcome = await runTool(ctx, tool, resolved);
    if (!outcome.ok) {
      Object.assign(step, { status: 'failed', error: outcome.problem, summary: problemDetail(outcome.problem) });
      failed = true;
      continue;
    }
    Object.assign(step, {
      status: 'done',
      result: compactResult(outcome.body),
      summary: summarize(outcome.body, spec.purpose),
    });
    const record = outcome.body.data as Record<string, unknown> | undefined;
    if (spec.bind && record?.id) {
      const collection = tool.operation.collection ?? '';
      bindings.set(spec.bind, { collection, id: String(record.id), label: labelOf(record), record, by: 'write' });
    }
  }
}
