// What went wrong with an LLM provider, as our problem: the provider's status and message
// summarised (a provider may quote part of the key back, so anything key-like is masked), a
// timeout as 504, anything else (no connection, malformed output) as 502. Never a 500.
import type OpenAI from 'openai';
import type Anthropic from '@anthropic-ai/sdk';
import { ApiError } from '../platform/errors.ts';
import type { LlmProviderConfig } from './llm-types.ts';

const MESSAGE_LIMIT = 300;
// Key-shaped words: OpenAI quotes `sk-...` keys in its 401s, Anthropic's keys are `sk-ant-...`.
const KEY_LIKE = /\b(?:sk|key|api|ant)[-_][A-Za-z0-9_*.-]{6,}/gi;

/** A provider's text with the key (and anything shaped like one) masked, and short. */
export function scrubbed(text: string, apiKey: string): string {
  let clean = apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text;
  clean = clean.replace(KEY_LIKE, '[redacted]').replace(/\s+/g, ' ').trim();
  return clean.length > MESSAGE_LIMIT ? `${clean.slice(0, MESSAGE_LIMIT)}…` : clean;
}

/** Output the provider sent that we cannot read (no choices, tool arguments that are not JSON). */
export class MalformedAnswer extends Error {}

export interface ProviderFailure {
  /** The provider's HTTP status, when it answered. */
  providerStatus: number | null;
  timedOut: boolean;
  message: string;
}

type Sdk = typeof OpenAI | typeof Anthropic;

/** The provider kind's SDK, whose error classes its failures are (loaded on first use, as by the call). */
const sdkOf = async (provider: LlmProviderConfig): Promise<Sdk> =>
  provider.kind === 'anthropic' ? (await import('@anthropic-ai/sdk')).default : (await import('openai')).default;

/** The failure of a provider call, summarised for the caller. */
export async function describeFailure(error: unknown, provider: LlmProviderConfig): Promise<ProviderFailure> {
  if (error instanceof MalformedAnswer)
    return { providerStatus: null, timedOut: false, message: `malformed answer: ${scrubbed(error.message, '')}` };
  const sdk = await sdkOf(provider);
  if (error instanceof sdk.APIConnectionTimeoutError)
    return { providerStatus: null, timedOut: true, message: `no answer within ${provider.timeoutMs} ms` };
  if (error instanceof sdk.APIConnectionError) {
    const cause = error.cause as (Error & { code?: string }) | undefined;
    const why = cause?.code === 'ETARGETREFUSED' ? cause.message : (cause?.message ?? error.message);
    return { providerStatus: null, timedOut: false, message: `could not connect: ${scrubbed(why, provider.apiKey)}` };
  }
  if (error instanceof sdk.APIError && typeof error.status === 'number') {
    // The SDK's message starts with the status; the provider's own error object says why.
    const body = error.error as { error?: { message?: unknown }; message?: unknown } | undefined;
    const said = body?.error?.message ?? body?.message ?? error.message;
    return {
      providerStatus: error.status,
      timedOut: false,
      message: `answered ${error.status}: ${scrubbed(String(said), provider.apiKey)}`,
    };
  }
  // A body that is not JSON, a stream cut short: the SDK's parse errors.
  const message = error instanceof Error ? error.message : String(error);
  return { providerStatus: null, timedOut: false, message: `malformed answer: ${scrubbed(message, provider.apiKey)}` };
}

/** The failure as the API's problem: 504 for a timeout, 502 for the rest. */
export function providerProblem(failure: ProviderFailure, provider: LlmProviderConfig): ApiError {
  const who = `LLM provider '${provider.name}' (${provider.id}, ${provider.kind} ${provider.model})`;
  const extra = { provider_id: provider.id, model: provider.model, provider_status: failure.providerStatus };
  if (failure.timedOut) return new ApiError('llm_provider_timeout', `${who}: ${failure.message}`, extra);
  return new ApiError('llm_provider_error', `${who} ${failure.message}`, extra);
}
