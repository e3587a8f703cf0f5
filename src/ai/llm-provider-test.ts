// POST /v1/llm-providers/{id}/test: one real, minimal call to the provider, through the same
// client as every AI feature (quota, retries, target policy), answering how it went instead of
// failing: an administrator checking a key wants the provider's own words.
import { z } from 'zod';
import type { Runtime } from '../platform/contract.ts';
import { ApiError } from '../platform/errors.ts';
import { completeChat } from './llm-client.ts';

export const LlmProviderTestAnswer = z.object({
  object: z.literal('llm_provider_test'),
  provider: z.string().describe('The provider tested.'),
  ok: z.boolean().describe('The provider answered the prompt.'),
  latency_ms: z.int().nullable().describe('How long the call took, retries included.'),
  model: z.string(),
  provider_status: z.int().nullable().describe('The HTTP status the provider failed with, if it answered.'),
  error: z.string().nullable().describe('Why the call failed (the provider’s status and message), null when ok.'),
});

/** The test prompt: short, and answerable by any chat model. */
const TEST_REQUEST = {
  system: 'You are a connectivity check. Answer with the single word: ok',
  messages: [{ role: 'user' as const, content: 'ping' }],
  maxTokens: 16,
  purpose: 'provider_test',
};

/** Runs after the action's transaction has committed (never inside one: completeChat opens its own). */
export async function testLlmProvider(runtime: Runtime, accountId: string, providerId: string) {
  const base = { object: 'llm_provider_test' as const, provider: providerId };
  const started = performance.now();
  try {
    const answer = await completeChat(runtime, accountId, TEST_REQUEST, { providerId });
    return {
      ...base,
      ok: true,
      latency_ms: answer.latencyMs,
      model: answer.provider.model,
      provider_status: null,
      error: null,
    };
  } catch (error) {
    // The quota, a missing provider: problems of ours, answered as such.
    if (!(error instanceof ApiError) || !['llm_provider_error', 'llm_provider_timeout'].includes(error.code))
      throw error;
    const status = error.extra.provider_status;
    return {
      ...base,
      ok: false,
      latency_ms: Math.round(performance.now() - started),
      model: String(error.extra.model ?? ''),
      provider_status: typeof status === 'number' ? status : null,
      error: error.detail,
    };
  }
}
