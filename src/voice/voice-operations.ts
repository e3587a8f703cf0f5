// The voice command routes: give a command as text or audio (base64 JSON, or a multipart
// upload), and confirm a planned one. Seed 002 named them `/v1/voice/commands`; they answer
// there too. Their operations hold no transaction: the steps run as the caller's own calls.
import { z } from 'zod';
import type { Api } from '../platform/api/build-api.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import type { Operation } from '../platform/api/operation.ts';
import { mcpTools, type McpTool } from '../mcp/mcp-tools.ts';
import { confirmCommand, EXAMPLES, giveCommand } from './give-command.ts';
import { AUDIO_TYPES, MAX_AUDIO_BYTES, audioFromJson, checkedTranscript, transcriptOf } from './voice-input.ts';
import { MAX_TRANSCRIPT_CHARS } from './voice-commands.ts';
import type { ToolContext } from './tool-runner.ts';

const SCOPE = 'write:voice-commands';
const NO_TOOL = 'a voice command is itself made of tool calls: agents call those tools directly';

const Confirm = z
  .boolean()
  .optional()
  .describe('Run the writes at once too, as a confirmation would (default false: they wait for one).');

const GiveCommand = z
  .strictObject({
    // Its length is checked with the transcript of audio (checkedTranscript), with one message for both.
    text: z
      .string()
      .optional()
      .describe(`What was said, at most ${MAX_TRANSCRIPT_CHARS} characters.`)
      .meta({ example: EXAMPLES[0] }),
    audio: z
      .strictObject({
        data: z
          .base64()
          .max(Math.ceil(MAX_AUDIO_BYTES / 3) * 4)
          .describe('The recording, base64.'),
        content_type: z.enum(AUDIO_TYPES),
      })
      .optional()
      .describe(`A recording (at most ${MAX_AUDIO_BYTES / 1024} KiB) the account's LLM provider transcribes.`),
    confirm: Confirm,
  })
  .refine((body) => (body.text === undefined) !== (body.audio === undefined), {
    message: 'Send either `text` or `audio`',
    path: ['text'],
  });

const DESCRIPTION =
  'The command becomes a plan of tool calls (the MCP server’s tools, run as you): the built-in grammar ' +
  `understands commands like ${EXAMPLES.slice(0, 4)
    .map((e) => `“${e}”`)
    .join(', ')}; ` +
  'others go to the account’s default LLM provider, if it has one. Reads run at once (they find the records ' +
  'the command names); writes run only when confirmed (`confirm: true`, or POST /v1/voice-commands/{id}/confirm ' +
  'within 5 minutes), each needing its own scope: one beyond the credential’s is `not_allowed`, naming it. ' +
  'A command neither understands answers 201 with status `not_understood` and examples. An empty or too long ' +
  'transcript is a 422.';

/** The tools of the API, built on first use (as the MCP server builds them). */
function toolTable(api: () => Api) {
  let tools: Map<string, McpTool> | undefined;
  return () => (tools ??= new Map(mcpTools(api()).map((tool) => [tool.name, tool])));
}

export function voiceOperations(api: () => Api): Operation[] {
  const tools = toolTable(api);
  const contextOf = (call: { runtime: any; principal: any; requestId: string }): ToolContext => ({
    runtime: call.runtime,
    principal: call.principal,
    requestId: call.requestId,
    tools: tools(),
  });
  const created = (data: Record<string, unknown>) => ({
    status: 201,
    body: { data },
    location: `/v1/voice-commands/${data.id}`,
  });
  const give = defineOperation({
    method: 'post',
    path: '/v1/voice-commands',
    operationId: 'giveVoiceCommand',
    feature: 'ai',
    tag: 'VoiceCommand',
    collection: 'voice-commands',
    singular: 'voice_command',
    scope: SCOPE,
    bucket: 'write',
    summary: 'Give a voice command',
    description: DESCRIPTION,
    body: GiveCommand,
    response: z.unknown(),
    responseComponent: 'VoiceCommand',
    successStatus: 201,
    async handle(call) {
      const { body } = call;
      const spoken = body.audio
        ? {
            text: await transcriptOf(call.runtime, call.principal.accountId, audioFromJson(body.audio)),
            source: 'audio' as const,
          }
        : { text: checkedTranscript(body.text ?? ''), source: 'text' as const };
      return created(await giveCommand(contextOf(call), spoken, body.confirm === true));
    },
  });
  const upload = defineOperation({
    method: 'post',
    path: '/v1/voice-commands/audio',
    operationId: 'giveVoiceCommandAudio',
    feature: 'ai',
    tag: 'VoiceCommand',
    collection: 'voice-commands',
    singular: 'voice_command',
    scope: SCOPE,
    bucket: 'write',
    summary: 'Give a voice command as an audio upload',
    description:
      `The recording in the form field \`file\` (at most ${MAX_AUDIO_BYTES / 1024} KiB), transcribed by the ` +
      'account’s default LLM provider (409 `llm_provider_missing` without one), then planned as POST ' +
      '/v1/voice-commands plans text. The form field `confirm=true` runs the writes at once.',
    upload: { field: 'file', maxBytes: MAX_AUDIO_BYTES, mediaTypes: AUDIO_TYPES },
    body: z.strictObject({ confirm: z.enum(['true', 'false']).optional() }),
    response: z.unknown(),
    responseComponent: 'VoiceCommand',
    successStatus: 201,
    async handle(call) {
      const file = call.file!;
      const audio = { data: file.bytes, contentType: file.declaredType, filename: file.filename };
      const text = await transcriptOf(call.runtime, call.principal.accountId, audio);
      return created(await giveCommand(contextOf(call), { text, source: 'audio' }, call.body?.confirm === 'true'));
    },
  });
  const confirm = defineOperation({
    method: 'post',
    path: '/v1/voice-commands/{id}/confirm',
    operationId: 'confirmVoiceCommand',
    tag: 'VoiceCommand',
    collection: 'voice-commands',
    singular: 'voice_command',
    scope: SCOPE,
    bucket: 'write',
    summary: 'Confirm a planned voice command',
    description:
      'Runs the planned writes, once, in order, as you: each looked-up record is read again first (gone: 409) ' +
      'and each step’s scope checked again (403 `insufficient_scope`). A command already run answers as it ' +
      'is; one ambiguous, not allowed, not understood or past `expires_at` is a 409. Only whoever gave the ' +
      'command confirms it.',
    params: { id: { pattern: '^vcmd_' } },
    response: z.unknown(),
    responseComponent: 'VoiceCommand',
    async handle(call) {
      return { status: 200, body: { data: await confirmCommand(contextOf(call), call.params.id) } };
    },
  });
  return [give, upload, confirm].map((operation) => ({
    ...operation,
    aliases: [operation.path.replace('/v1/voice-commands', '/v1/voice/commands')],
    tool: { excluded: NO_TOOL },
  }));
}
