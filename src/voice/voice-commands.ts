// The voice command log: every command spoken (or typed) through POST /v1/voice-commands, with
// its plan, what each step found or did, and who gave it. Written only by the voice operations;
// read-only over the API. A credential with `read:*` reads every command of the account; any
// other reads only the commands it gave itself, because a command's results hold what its
// giver's scopes could read (a technician does not read the office's invoice lookups).
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { hasScope, type Principal } from '../platform/operations/principal.ts';
import { candidateSchema, stepSchema } from './plan.ts';
import { actorOf } from '../audit/actor.ts';

export const VOICE_STATUSES = [
  'planned',
  'needs_clarification',
  'not_allowed',
  'not_understood',
  'executing',
  'executed',
  'partially_failed',
  'failed',
  'expired',
] as const;
export type VoiceStatus = (typeof VOICE_STATUSES)[number];

/** The longest transcript a command may have: a command is a sentence or two, not a dictation. */
export const MAX_TRANSCRIPT_CHARS = 1000;

/** Who may give a command: a member (signed in, or through an OAuth app acting for them), a key or an app. */
export const GIVER_TYPES = ['member', 'api_key', 'oauth_app'] as const;

/**
 * Who gives a command: the member, also when an OAuth app acts for them (their commands are theirs,
 * whichever app they speak through), else the API key or the app itself. Null for any other actor.
 */
export function commandGiverOf(
  principal: Principal,
): { actor_type: (typeof GIVER_TYPES)[number]; actor_id: string } | null {
  const actor = actorOf(principal);
  if (actor.on_behalf_of) return { actor_type: 'member', actor_id: actor.on_behalf_of };
  if (actor.type === 'member' || actor.type === 'api_key' || actor.type === 'oauth_app')
    return { actor_type: actor.type, actor_id: actor.id! };
  return null;
}

const ambiguitySchema = z.object({
  reference: z.string().describe('What could not be told apart: `customer`, `job`, `technician`.'),
  message: z.string(),
  candidates: z.array(candidateSchema),
});

export const voiceCommands = defineResource({
  name: 'voice_command',
  collection: 'voice-commands',
  idPrefix: 'vcmd',
  description:
    'A command spoken or typed to `POST /v1/voice-commands`: what was said, the plan of tool calls it became, ' +
    'what each step found or did, and who gave it. A credential with `read:*` reads every command; others ' +
    'read their own.',
  operations: ['list', 'get'],
  limitedBecause:
    'Commands are given with POST /v1/voice-commands and confirmed with POST /v1/voice-commands/{id}/confirm; ' +
    'the log of what was said and done is never edited.',
  emitsEvents: false,
  lifecycle: { field: 'status' },
  readableRows: (principal) => {
    if (hasScope(principal, 'read:*')) return null;
    const actor = commandGiverOf(principal);
    return { field: 'actor_id', values: actor ? [actor.actor_id] : [] };
  },
  schema: [
    // The plan as it runs (steps with their references, and the records its lookups bound): what a
    // confirmation carries out. Not an API field: `plan` shows it as it ran.
    'ALTER TABLE voice_commands ADD COLUMN IF NOT EXISTS program jsonb',
  ],
  fields: {
    text: field
      .text({ max: MAX_TRANSCRIPT_CHARS })
      .readOnly()
      .searchable()
      .describe('What was said: the text sent, or the transcript of the audio.')
      .example('Schedule the Jones water heater job for Tuesday at 9 with Dee'),
    source: field.enum(['text', 'audio']).readOnly().filterable(),
    status: field
      .enum(VOICE_STATUSES)
      .readOnly()
      .filterable()
      .describe(
        '`planned`: reads ran, writes wait for confirmation until `expires_at`; `needs_clarification`: a lookup ' +
          'found several records or none (see `ambiguities`: say it again); `not_allowed`: a step needs a scope ' +
          'the credential lacks; `not_understood`; `executing`, then `executed`, `partially_failed` or `failed`; ' +
          '`expired`: confirmed too late.',
      ),
    parser: field
      .enum(['grammar', 'llm', 'none'])
      .readOnly()
      .filterable()
      .describe('`grammar`: the built-in command grammar; `llm`: the account’s LLM provider; `none`: neither.'),
    intent: field
      .text()
      .readOnly()
      .filterable()
      .describe('What the grammar understood (`schedule_job`, `find_invoices`, ...).'),
    plan: field
      .json(z.array(stepSchema))
      .readOnly()
      .describe('The steps, in order: each a tool call with its arguments, status and result.'),
    summary: field.text().readOnly().describe('The answer in a sentence or two: what was found, done, or is needed.'),
    ambiguities: field
      .json(z.array(ambiguitySchema))
      .readOnly()
      .describe('What the lookups could not tell apart, with the records they found.'),
    actor_type: field.enum(GIVER_TYPES).readOnly().filterable().describe('Who gave the command.'),
    actor_id: field.text().readOnly().filterable().describe('The member (`usr_`), API key or OAuth app.'),
    request_id: field.text().readOnly().describe('The request that gave it.'),
    llm: field
      .json(
        z.object({
          provider: z.string(),
          model: z.string(),
          input_tokens: z.number(),
          output_tokens: z.number(),
          rounds: z.number(),
        }),
      )
      .readOnly()
      .describe('For `llm` plans: the provider, model and tokens used.'),
    expires_at: field.datetime().readOnly().describe('A planned command must be confirmed before then.'),
    confirmed_at: field.datetime().readOnly(),
    executed_at: field.datetime().readOnly().sortable(),
  },
});
