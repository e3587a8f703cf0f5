// The setting of the LLM provider suites: a Fieldline (private targets allowed, as for webhook
// receivers) and support/llm-fake.ts on 127.0.0.1, a new account per test, providers of both
// kinds pointed at the fake, and a call of completeChat as an AI feature would make it.
import { before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './test-context.ts';
import { startLlmFake, type LlmFake } from './llm-fake.ts';
import { completeChat } from '../../src/ai/llm-client.ts';
import { ApiError } from '../../src/platform/errors.ts';
import type { Runtime } from '../../src/platform/contract.ts';

/** A provider key; tests assert it appears in no answer, event or log. */
export const LLM_TEST_KEY = 'sk-test-fieldline-secret-key-0123456789';

export async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => assert.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ApiError, String(error));
  return error;
}

export function llmSuite() {
  const s = {} as { ctx: TestContext; fake: LlmFake; account: TestAccount };
  before(async () => {
    s.ctx = await createTestContext();
    s.fake = await startLlmFake();
  });
  after(async () => {
    await s.ctx.close();
    await s.fake.close();
  });
  beforeEach(async () => {
    s.account = await s.ctx.newAccount('AI Co');
    s.fake.requests.length = 0;
  });
  const { call, created } = accountClient(
    () => s.ctx,
    () => s.account,
  );
  const provider =
    (defaults: Record<string, unknown>) =>
    (extra: Record<string, unknown> = {}) =>
      created('llm-providers', { api_key: LLM_TEST_KEY, is_default: true, ...defaults, ...extra });
  return {
    s,
    call,
    created,
    openaiProvider: (extra?: Record<string, unknown>) =>
      provider({ name: 'Fake OpenAI', kind: 'openai', model: 'gpt-test', base_url: s.fake.openaiBaseUrl })(extra),
    anthropicProvider: (extra?: Record<string, unknown>) =>
      provider({ name: 'Fake Anthropic', kind: 'anthropic', model: 'claude-test', base_url: s.fake.anthropicBaseUrl })(
        extra,
      ),
    /** One short prompt through completeChat, for `purpose`. */
    ask: (purpose = 'draft_reply', options: { providerId?: string } = {}, runtime: Runtime = s.ctx.runtime) =>
      completeChat(
        runtime,
        s.account.id,
        { system: 'sys', messages: [{ role: 'user', content: 'hi' }], purpose },
        options,
      ),
    /** The runtime with other options or logger (the same services and database). */
    runtimeWith: (changes: { options?: Partial<Runtime['options']>; logger?: Runtime['logger'] }): Runtime =>
      Object.create(s.ctx.runtime, {
        options: { value: { ...s.ctx.runtime.options, ...changes.options } },
        logger: { value: changes.logger ?? s.ctx.runtime.logger },
      }),
  };
}
