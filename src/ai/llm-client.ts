// The one way Fieldline talks to an LLM: AI drafts, voice commands and the provider test call
// these. Each call finds the account's provider (its default, or the one named) in a short tenant
// read, checks the AI token quota, calls the provider through its official SDK (timeouts, retries
// on 429/5xx, the webhook target policy at connect time), and records the tokens it used.
//
// Never call these inside an open tenant transaction: they open their own short ones, and on
// PGlite (one connection) a transaction held open around them would wait for itself. For the
// same reason they hold no transaction while the provider answers.
import type { Runtime } from '../platform/contract.ts';
import type { Plan } from '../platform/api/traffic.ts';
import { ApiError } from '../platform/errors.ts';
import { tenantBatch } from '../db/tenant-transaction.ts';
import { openWriteOnlyField } from '../platform/operations/write-only-fields.ts';
import { planFromRow, planOfAccountSql } from '../billing/plan-rows.ts';
import { guardedFetch } from './guarded-fetch.ts';
import { openaiComplete, openaiTranscribe } from './openai-chat.ts';
import { anthropicComplete } from './anthropic-messages.ts';
import { describeFailure, providerProblem } from './provider-problem.ts';
import { assertAiQuota, recordAiUsage } from './ai-usage.ts';
import { refundAiCredits, reserveAiCredits, settleAiCredits } from '../credits/ai-credits.ts';
import type { AdapterAnswer, LlmAnswer, LlmProviderConfig, LlmProviderRef, LlmRequest } from './llm-types.ts';

export type {
  LlmAnswer,
  LlmMessage,
  LlmProviderKind,
  LlmRequest,
  LlmTool,
  LlmToolCall,
  LlmProviderRef,
} from './llm-types.ts';

/** The speech-to-text model when a provider names none (OpenAI's). */
export const DEFAULT_TRANSCRIPTION_MODEL = 'whisper-1';

export interface ProviderChoice {
  /** This provider instead of the account's default (an id of llm-providers; another account's is a 404). */
  providerId?: string;
  /** Who the call is for, as the credit ledger names them (src/credits/credit-costs.ts actorOf); default `system`. */
  actor?: string;
}

interface Loaded {
  provider: LlmProviderConfig;
  plan: Plan;
  actor?: string;
}

/** The provider and the account's plan, in one short tenant read (row-level security applies). */
export async function loadLlmProvider(runtime: Runtime, accountId: string, options: ProviderChoice = {}) {
  const which = options.providerId ? 'id = $2' : 'is_default';
  const [[account], [row]] = await tenantBatch(runtime.db, accountId, [
    { sql: `SELECT ${planOfAccountSql('a')} AS plan_row FROM accounts a WHERE a.id = $1`, parameters: [accountId] },
    {
      sql: `SELECT id, name, kind, model, base_url, api_key, max_tokens, timeout_ms, transcription_model
            FROM llm_providers WHERE account_id = $1 AND ${which} ORDER BY created_at DESC LIMIT 1`,
      parameters: options.providerId ? [accountId, options.providerId] : [accountId],
    },
  ]);
  if (!row) {
    if (options.providerId) throw new ApiError('not_found', `No such llm_provider: '${options.providerId}'`);
    throw new ApiError(
      'llm_provider_missing',
      'This account has no default LLM provider: create one with POST /v1/llm-providers ' +
        '(kind, model, api_key, is_default: true), or mark one as the default.',
    );
  }
  const provider: LlmProviderConfig = {
    id: row.id,
    name: row.name,
    kind: row.kind,
    model: row.model,
    baseUrl: row.base_url ?? null,
    apiKey: openWriteOnlyField(row.api_key, runtime.secrets) ?? '',
    maxTokens: Number(row.max_tokens),
    timeoutMs: Number(row.timeout_ms),
    transcriptionModel: row.transcription_model ?? DEFAULT_TRANSCRIPTION_MODEL,
  };
  return { provider, plan: planFromRow(account?.plan_row), actor: options.actor } satisfies Loaded;
}

const refOf = ({ id, kind, model }: LlmProviderConfig): LlmProviderRef => ({ id, kind, model });
const allowPrivate = (runtime: Runtime) => runtime.options.webhooks?.allowPrivate ?? false;

/**
 * Runs one provider call with the quota checked and credits reserved before (an account that pays by
 * credits) and the usage recorded and paid after; a failure is recorded (no tokens), gives the
 * credits back and becomes a 502/504 problem that names the provider, never its key.
 */
async function metered<T>(
  runtime: Runtime,
  accountId: string,
  { provider, plan, actor }: Loaded,
  purpose: string,
  call: () => Promise<{ value: T; inputTokens: number; outputTokens: number }>,
): Promise<{ value: T; latencyMs: number }> {
  await assertAiQuota(runtime, accountId, plan);
  const credits = await reserveAiCredits(runtime, accountId, actor ?? 'system');
  const started = performance.now();
  let outcome: { value: T; inputTokens: number; outputTokens: number };
  try {
    outcome = await call();
  } catch (error) {
    const latencyMs = Math.round(performance.now() - started);
    if (credits) await refundAiCredits(runtime, credits);
    const failure = await describeFailure(error, provider);
    await recordAiUsage(runtime, accountId, plan, {
      provider: refOf(provider),
      purpose,
      ok: false,
      inputTokens: 0,
      outputTokens: 0,
      latencyMs,
    });
    runtime.logger.warn(
      { account_id: accountId, provider_id: provider.id, provider_status: failure.providerStatus, purpose },
      `LLM provider call failed: ${failure.message}`,
    );
    throw providerProblem(failure, provider);
  }
  const latencyMs = Math.round(performance.now() - started);
  if (credits) await settleAiCredits(runtime, credits, outcome.inputTokens + outcome.outputTokens);
  await recordAiUsage(runtime, accountId, plan, {
    provider: refOf(provider),
    purpose,
    ok: true,
    inputTokens: outcome.inputTokens,
    outputTokens: outcome.outputTokens,
    latencyMs,
  });
  return { value: outcome.value, latencyMs };
}

/**
 * The account's default provider (or the one named) answers. Checks the AI quota first, records
 * token usage after. Throws ApiError: 409 `llm_provider_missing` (no default provider), 404 (the
 * named one is not the account's), 429 `quota_exceeded`, 502 `llm_provider_error` (the provider
 * failed after retries, or answered something unreadable), 504 `llm_provider_timeout`.
 * Never call it inside an open tenant transaction (see the top of this file).
 */
export async function completeChat(
  runtime: Runtime,
  accountId: string,
  request: LlmRequest,
  options: ProviderChoice = {},
): Promise<LlmAnswer> {
  const loaded = await loadLlmProvider(runtime, accountId, options);
  const { provider } = loaded;
  const fetch = guardedFetch(allowPrivate(runtime));
  const { value, latencyMs } = await metered<AdapterAnswer>(runtime, accountId, loaded, request.purpose, async () => {
    const answer =
      provider.kind === 'anthropic'
        ? await anthropicComplete(provider, request, fetch)
        : await openaiComplete(provider, request, fetch);
    return { value: answer, inputTokens: answer.usage.inputTokens, outputTokens: answer.usage.outputTokens };
  });
  return { ...value, provider: refOf(provider), latencyMs };
}

/**
 * Speech to text through the default provider (or the one named): OpenAI-compatible
 * `audio/transcriptions`. An anthropic provider has no such API: 409 `llm_provider_missing`
 * saying so. Other failures as completeChat. Never inside an open tenant transaction.
 */
export async function transcribeAudio(
  runtime: Runtime,
  accountId: string,
  audio: { data: Buffer; contentType: string; filename?: string },
  options: ProviderChoice = {},
): Promise<{ text: string; provider: LlmAnswer['provider']; latencyMs: number }> {
  const loaded = await loadLlmProvider(runtime, accountId, options);
  const { provider } = loaded;
  if (provider.kind !== 'openai')
    throw new ApiError(
      'llm_provider_missing',
      `LLM provider '${provider.name}' (${provider.id}) is of kind '${provider.kind}', which has no speech-to-text ` +
        "API; make an 'openai' kind provider (OpenAI or a compatible server) the default to transcribe audio.",
    );
  const fetch = guardedFetch(allowPrivate(runtime));
  // Transcriptions report no tokens: the call is logged, and costs the quota nothing.
  const { value, latencyMs } = await metered(runtime, accountId, loaded, 'transcription', async () => ({
    value: await openaiTranscribe(provider, audio, fetch),
    inputTokens: 0,
    outputTokens: 0,
  }));
  return { text: value, provider: refOf(provider), latencyMs };
}

/** Whether the account has a usable (default) provider. */
export async function hasLlmProvider(runtime: Runtime, accountId: string): Promise<boolean> {
  const [rows] = await tenantBatch(runtime.db, accountId, [
    { sql: 'SELECT 1 FROM llm_providers WHERE account_id = $1 AND is_default LIMIT 1', parameters: [accountId] },
  ]);
  return rows.length > 0;
}
