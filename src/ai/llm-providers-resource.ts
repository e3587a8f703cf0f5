// LLM providers: where the account's AI features (draft replies, voice commands) send their
// prompts. One is the default. The API key is write-only, stored encrypted, never returned or
// logged; the base URL follows the webhook target policy. Owners and admins only (the module's
// default), since a provider holds a key that spends the account's money.
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { validationFailed } from '../platform/errors.ts';
import { targetProblem } from '../webhooks/target-policy.ts';
import { LLM_PROVIDER_KINDS } from './llm-types.ts';
import { ANTHROPIC_DEFAULT_BASE_URL } from './anthropic-messages.ts';
import { OPENAI_DEFAULT_BASE_URL } from './openai-chat.ts';
import { DEFAULT_TRANSCRIPTION_MODEL } from './llm-client.ts';
import { testLlmProvider, LlmProviderTestAnswer } from './llm-provider-test.ts';

export const llmProviders = defineResource({
  name: 'llm_provider',
  collection: 'llm-providers',
  idPrefix: 'llm',
  description:
    'A large language model the account’s AI features call: `openai` is any server speaking the OpenAI ' +
    'Chat Completions API (OpenAI, vLLM, Ollama, LiteLLM...), `anthropic` the Anthropic Messages API. ' +
    'The default one answers AI drafts and voice commands; tokens count against the plan’s monthly AI quota.',
  fields: {
    name: field.text({ max: 100 }).required().searchable().example('OpenAI production'),
    description: field.text({ max: 500 }),
    kind: field.enum(LLM_PROVIDER_KINDS).required().filterable().describe('The API the provider speaks.'),
    model: field
      .text({ max: 200 })
      .required()
      .filterable()
      .describe('The model to ask, as the provider names it.')
      .example('gpt-4o-mini'),
    base_url: field
      .url()
      .describe(
        "The API's base URL; absent: the vendor's " +
          `(\`${OPENAI_DEFAULT_BASE_URL}\`, \`${ANTHROPIC_DEFAULT_BASE_URL}\`). ` +
          'An https URL on the public internet (http and private addresses only when the server allows them, ' +
          'as for webhook endpoints).',
      ),
    api_key: field
      .secret({ min: 1, max: 1000 })
      .required()
      .describe(
        'The provider’s API key. Write-only: stored encrypted, never returned; give it again to change ' +
          '`base_url` or `kind`.',
      )
      .example('sk-proj-Xb3kq0examplekey'),
    is_default: field
      .boolean()
      .default(false)
      .filterable()
      .describe('The provider AI features use. Making one the default makes the previous default an ordinary one.'),
    max_tokens: field.integer({ min: 1, max: 200_000 }).default(1024).describe('The most tokens one answer may have.'),
    timeout_ms: field
      .integer({ min: 1000, max: 300_000 })
      .default(30_000)
      .describe('How long one attempt may take; 429 and 5xx answers are retried twice.'),
    transcription_model: field
      .text({ max: 200 })
      .describe(
        `Speech-to-text model of an \`openai\` provider (voice commands); absent: \`${DEFAULT_TRANSCRIPTION_MODEL}\`.`,
      ),
  },
  hooks: {
    validate: async ({ row, previous, ctx }) => {
      // The stored key goes only where it was given for: whoever points a provider elsewhere (an
      // admin who cannot read the key) must give the key again, or could collect it with /test.
      const moved = previous && (previous.base_url !== row.base_url || previous.kind !== row.kind);
      if (moved && row.api_key === undefined)
        throw validationFailed([
          { path: 'api_key', message: 'give the key again when base_url or kind changes (it is never sent elsewhere)' },
        ]);
      if (!row.base_url || previous?.base_url === row.base_url) return; // resolving may take seconds
      const problem = await targetProblem(row.base_url, ctx.runtime.options.webhooks?.allowPrivate ?? false);
      if (problem) throw validationFailed([{ path: 'base_url', message: problem }]);
    },
    // One default per account: the new default takes over before it is written (a partial unique
    // index refuses two, so the old one must let go first).
    stamp: async ({ row, previous, ctx }) => {
      if (!row.is_default || previous?.is_default) return {};
      const others = await ctx.tx.query<{ id: string }>({
        sql: 'SELECT id FROM llm_providers WHERE account_id = $1 AND is_default AND id <> $2',
        parameters: [ctx.tx.accountId, row.id ?? ''],
      });
      for (const other of others) await ctx.update('llm-providers', other.id, { is_default: false });
      return {};
    },
  },
  actions: {
    test: {
      summary: 'Test the provider with a real call',
      description:
        'Sends a minimal prompt and answers whether the provider answered, how fast, and if not, what it said ' +
        '(its status and message, never the key). Its tokens count like any call.',
      answers: LlmProviderTestAnswer,
      run: async ({ row, ctx }) => {
        const { runtime } = ctx;
        const accountId = ctx.tx.accountId;
        // The provider is called after the transaction commits: a slow provider holds no connection.
        return { data: {}, afterCommit: async () => ({ data: await testLlmProvider(runtime, accountId, row.id) }) };
      },
    },
  },
  schema: [
    'CREATE UNIQUE INDEX IF NOT EXISTS llm_providers_one_default ON llm_providers (account_id) WHERE is_default',
  ],
});
