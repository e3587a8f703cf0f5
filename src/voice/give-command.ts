// A voice command from transcript to answer: the grammar (or, failing it, the account's LLM
// provider) makes the plan, its reads run at once as the caller, the command is logged, and, if
// asked, its writes run at once too (as a confirmation would run them). Confirming later runs
// the same code. Nothing here holds a transaction open: steps, the model and the log each take
// their own.
import { ApiError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { serialize } from '../platform/operations/serialize.ts';
import type { Row } from '../db/database.ts';
import { accountClock } from '../business-analytics/analytics-sql.ts';
import { understand } from './command-grammar.ts';
import { executeSteps, planSteps, refreshBindings, type Ambiguity } from './run-steps.ts';
import type { Step, StepSpec } from './plan.ts';
import { commandGiverOf, voiceCommands, type VoiceStatus } from './voice-commands.ts';
import { bindingsOf, claimCommand, expireCommand, insertCommand, loadCommand, programOf } from './voice-store.ts';
import { updateCommand, type Program } from './voice-store.ts';
import { missingScope, type ToolContext } from './tool-runner.ts';
import { planWithModel } from './model-planner.ts';

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    voice?: {
      /** The clock day and time phrases are read against (tests fix it). */
      now?: () => Date;
      /** How long a plan waits for its confirmation; default 5 minutes. */
      planTtlMs?: number;
    };
  }
}

const DEFAULT_PLAN_TTL_MS = 5 * 60_000;

export const EXAMPLES = [
  'Schedule the Jones water heater job for Tuesday at 9 with Dee',
  'Create customer Mary Smith, phone 555 123 4567, email mary@example.com',
  'Create a job for Jones: replace the water heater tomorrow at 10',
  'Assign the Jones job to Dee',
  'Start the Jones job / Complete the Jones job',
  'Invoice the Jones water heater job for $350',
  'Add a note to the Jones job: gate code 4411',
  'Find unpaid invoices for Jones / What is on the schedule tomorrow',
];

export interface Spoken {
  text: string;
  source: 'text' | 'audio';
}

const nowOf = (ctx: ToolContext) => ctx.runtime.options.voice?.now?.() ?? new Date();

/** The command's state once its reads ran. */
function statusAfterPlanning(steps: Step[], ambiguities: Ambiguity[]): VoiceStatus {
  if (steps.some((step) => step.status === 'not_allowed')) return 'not_allowed';
  if (steps.some((step) => step.status === 'failed')) return 'failed';
  if (ambiguities.length) return 'needs_clarification';
  return steps.some((step) => step.status === 'planned') ? 'planned' : 'executed';
}

function summaryOf(status: VoiceStatus, steps: Step[], ambiguities: Ambiguity[]): string {
  const planned = steps.filter((step) => step.status === 'planned').map((step) => step.purpose);
  switch (status) {
    case 'planned':
      return `Ready to: ${planned.join('; ')}. Confirm to carry it out.`;
    case 'needs_clarification':
      return ambiguities
        .map((a) => `${a.message}${a.candidates.length ? `: ${a.candidates.map((c) => c.name).join(', ')}` : ''}.`)
        .join(' ');
    case 'not_allowed': {
      const scopes = [...new Set(steps.flatMap((step) => (step.missing_scope ? [step.missing_scope] : [])))];
      const needed = scopes.map((scope) => `'${scope}'`).join(', ');
      return `Not allowed: this needs ${needed}, which the credential lacks. Nothing was changed.`;
    }
    case 'not_understood':
      return `Not understood. Commands like these are: ${EXAMPLES.map((e) => `“${e}”`).join('; ')}.`;
    default: {
      const failed = steps.find((step) => step.status === 'failed');
      const done = steps.filter((step) => step.status === 'done' && step.summary).map((step) => step.summary);
      return failed ? `${failed.purpose} failed: ${failed.summary}` : done.slice(-2).join('. ');
    }
  }
}

function finalStatus(steps: Step[]): VoiceStatus {
  const failed = steps.some((step) => step.status === 'failed');
  const wrote = steps.some((step) => !step.read_only && step.status === 'done');
  return failed ? (wrote ? 'partially_failed' : 'failed') : 'executed';
}

/** Plans and logs a command; runs its writes too when `confirm` is set. Answers the logged command. */
export async function giveCommand(
  ctx: ToolContext,
  spoken: Spoken,
  confirm: boolean,
): Promise<Record<string, unknown>> {
  const actor = commandGiverOf(ctx.principal);
  if (!actor) throw new ApiError('forbidden', 'Voice commands are given by a member, an API key or an OAuth app');
  const now = nowOf(ctx);
  const { timeZone } = await accountClock(ctx.runtime, ctx.principal.accountId);
  const understood = understand(spoken.text, { now, timeZone });
  let specs: StepSpec[] = understood?.steps ?? [];
  let parser: 'grammar' | 'llm' | 'none' = understood ? 'grammar' : 'none';
  let llm: Record<string, unknown> | null = null;
  let reply = '';
  let outcome = understood ? await planSteps(ctx, specs) : null;
  if (!understood) {
    const modelled = await planWithModel(ctx, spoken.text, { now, timeZone });
    if (modelled) ({ specs, outcome, llm, reply } = modelled);
    if (modelled) parser = 'llm';
  }
  const steps = outcome?.steps ?? [];
  const ambiguities = outcome?.ambiguities ?? [];
  // A model may read, fail and read again: only its writes and their scopes decide its plan.
  const deciding = parser === 'llm' ? steps.filter((step) => !(step.read_only && step.status === 'failed')) : steps;
  const status: VoiceStatus = specs.length ? statusAfterPlanning(deciding, ambiguities) : 'not_understood';
  const said = reply && (status === 'executed' || status === 'not_understood') ? `${reply} ` : '';
  const at = now.toISOString();
  const row: Row = {
    id: newId(voiceCommands.idPrefix),
    created_at: at,
    updated_at: at,
    text: spoken.text,
    source: spoken.source,
    status,
    parser,
    intent: understood?.intent ?? null,
    plan: steps,
    summary: said + summaryOf(status, steps, ambiguities),
    ambiguities,
    ...actor,
    request_id: ctx.requestId,
    llm,
    expires_at:
      status === 'planned'
        ? new Date(now.getTime() + (ctx.runtime.options.voice?.planTtlMs ?? DEFAULT_PLAN_TTL_MS)).toISOString()
        : null,
    confirmed_at: null,
    executed_at: status === 'executed' ? at : null,
  };
  await insertCommand(ctx.runtime, ctx.principal.accountId, row, outcome ? programOf(specs, outcome.bindings) : null);
  if (confirm && status === 'planned') return confirmCommand(ctx, String(row.id));
  return serialize(voiceCommands, row);
}

/** Why a command that is not `planned` cannot be confirmed, or null when it already ran (answer it as it is). */
const REFUSALS: Partial<Record<VoiceStatus, string>> = {
  needs_clarification: 'The command is ambiguous: say it again naming which record you mean',
  not_allowed: 'The command needs scopes this credential lacks',
  not_understood: 'The command was not understood: there is nothing to confirm',
  expired: 'The plan has expired: say the command again',
};

/** Runs a planned command's writes, once, as the caller; a command already run answers as it is. */
export async function confirmCommand(ctx: ToolContext, id: string): Promise<Record<string, unknown>> {
  const { accountId } = ctx.principal;
  const row = await loadCommand(ctx.runtime, accountId, id);
  const readable = voiceCommands.readableRows?.(ctx.principal, ctx.runtime.registry);
  if (!row || (readable && !readable.values.includes(row.actor_id)))
    throw new ApiError('not_found', `No such voice command: '${id}'`);
  if (row.actor_id !== commandGiverOf(ctx.principal)?.actor_id)
    throw new ApiError('forbidden', 'Only whoever gave a command may confirm it');
  const now = nowOf(ctx).toISOString();
  const program = row.status === 'planned' ? await claimCommand(ctx.runtime, accountId, id, now) : null;
  if (!program) {
    const current = (await loadCommand(ctx.runtime, accountId, id))!;
    if (current.status === 'planned') {
      await expireCommand(ctx.runtime, accountId, id, now);
      throw new ApiError('conflict', REFUSALS.expired!, { command_status: 'expired' });
    }
    const refusal = REFUSALS[current.status as VoiceStatus];
    if (refusal) throw new ApiError('conflict', refusal, { command_status: current.status });
    return serialize(voiceCommands, current);
  }
  return runProgram(ctx, row, program, now);
}

async function runProgram(ctx: ToolContext, row: Row, program: Program, now: string) {
  const { accountId } = ctx.principal;
  const steps = row.plan as Step[];
  // Scopes again: the credential may have lost some since the plan was made.
  for (const [index, spec] of program.specs.entries()) {
    const tool = ctx.tools.get(spec.tool);
    const scope = tool && steps[index].status === 'planned' ? missingScope(tool, ctx.principal) : null;
    if (scope) {
      Object.assign(steps[index], {
        status: 'not_allowed',
        missing_scope: scope,
        summary: `Needs the scope '${scope}'`,
      });
      const summary = summaryOf('not_allowed', steps, []);
      await updateCommand(ctx.runtime, accountId, row.id, { status: 'not_allowed', plan: steps, summary });
      throw new ApiError('insufficient_scope', `A step of this command needs the scope '${scope}'`, {
        required_scope: scope,
      });
    }
  }
  const bindings = bindingsOf(program);
  try {
    await refreshBindings(ctx, bindings);
  } catch (error) {
    const summary = error instanceof ApiError ? error.detail : 'The records the plan found could not be read again';
    await updateCommand(ctx.runtime, accountId, row.id, { status: 'failed', summary, executed_at: now });
    throw error;
  }
  await executeSteps(ctx, program.specs, steps, bindings);
  const status = finalStatus(steps);
  const changes = { status, plan: steps, summary: summaryOf(status, steps, []), executed_at: nowOf(ctx).toISOString() };
  await updateCommand(ctx.runtime, accountId, row.id, changes);
  return serialize(voiceCommands, { ...row, ...changes, confirmed_at: now, updated_at: changes.executed_at });
}
