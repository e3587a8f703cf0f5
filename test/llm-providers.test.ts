// LLM providers: the resource (the key never shown), one default per account, the client every
// AI feature calls (both APIs, tool calls both ways, failures as problems), the test action,
// token usage and its quota, and tenancy. The providers are played by support/llm-fake.ts on
// 127.0.0.1 (the test context allows private targets, as for webhook receivers).
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { startLlmFake, type LlmFake } from './support/llm-fake.ts';
import { completeChat, hasLlmProvider, transcribeAudio } from '../src/ai/llm-client.ts';
import { ApiError } from '../src/platform/errors.ts';

const KEY = 'sk-test-fieldline-secret-key-0123456789';

let ctx: TestContext;
let fake: LlmFake;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
  fake = await startLlmFake();
});
after(async () => {
  await ctx.close();
  await fake.close();
});
beforeEach(async () => {
  account = await ctx.newAccount('AI Co');
  fake.requests.length = 0;
});

const { call, created } = accountClient(
  () => ctx,
  () => account,
);

const openaiProvider = (extra: Record<string, unknown> = {}) =>
  created('llm-providers', {
    name: 'Fake OpenAI',
    kind: 'openai',
    model: 'gpt-test',
    base_url: fake.openaiBaseUrl,
    api_key: KEY,
    is_default: true,
    ...extra,
  });

const anthropicProvider = (extra: Record<string, unknown> = {}) =>
  created('llm-providers', {
    name: 'Fake Anthropic',
    kind: 'anthropic',
    model: 'claude-test',
    base_url: fake.anthropicBaseUrl,
    api_key: KEY,
    is_default: true,
    ...extra,
  });

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => assert.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ApiError, String(error));
  return error;
}

describe('llm-providers resource', () => {
  test('the api key is stored sealed and never returned', async () => {
    const provider = await openaiProvider();
    assert.equal(provider.object, 'llm_provider');
    assert.equal('api_key' in provider, false);
    assert.doesNotMatch(JSON.stringify(provider), /fieldline-secret/);
    const read = await call('GET', `/v1/llm-providers/${provider.id}`);
    assert.equal(read.status, 200);
    assert.doesNotMatch(read.text, /fieldline-secret/);
    const list = await call('GET', '/v1/llm-providers');
    assert.doesNotMatch(list.text, /fieldline-secret/);
    const events = await call('GET', '/v1/events?type=llm_provider.created');
    assert.equal(events.status, 200, events.text);
    assert.equal(events.body.data.length, 1);
    assert.doesNotMatch(events.text, /fieldline-secret/);
    const [stored] = await ctx.db.withConnection((c) =>
      c.run(`SELECT api_key FROM llm_providers WHERE id = '${provider.id}'`),
    );
    assert.equal(typeof stored[0].api_key, 'string');
    assert.doesNotMatch(stored[0].api_key, /fieldline-secret/);
  });

  test('one default per account: making one the default unsets the other', async () => {
    const first = await openaiProvider();
    const second = await anthropicProvider();
    assert.equal(second.is_default, true);
    assert.equal((await call('GET', `/v1/llm-providers/${first.id}`)).body.data.is_default, false);
    const back = await call('PATCH', `/v1/llm-providers/${first.id}`, { is_default: true });
    assert.equal(back.status, 200, back.text);
    assert.equal((await call('GET', `/v1/llm-providers/${second.id}`)).body.data.is_default, false);
    const defaults = await call('GET', '/v1/llm-providers?is_default=true');
    assert.deepEqual(
      defaults.body.data.map((p: { id: string }) => p.id),
      [first.id],
    );
  });
});

describe('completeChat, openai kind', () => {
  test('sends the prompt with the key and model, answers text and usage', async () => {
    await openaiProvider();
    assert.equal(await hasLlmProvider(ctx.runtime, account.id), true);
    fake.reply({ text: 'Hello Jones', usage: { input: 40, output: 7 } });
    const answer = await completeChat(ctx.runtime, account.id, {
      system: 'You draft replies.',
      messages: [{ role: 'user', content: 'Say hello' }],
      purpose: 'draft_reply',
    });
    assert.equal(answer.text, 'Hello Jones');
    assert.deepEqual(answer.usage, { inputTokens: 40, outputTokens: 7 });
    assert.equal(answer.provider.kind, 'openai');
    assert.equal(answer.provider.model, 'gpt-test');
    assert.ok(answer.latencyMs >= 0);
    const [sent] = fake.requests;
    assert.equal(sent.path, '/v1/chat/completions');
    assert.equal(sent.headers.authorization, `Bearer ${KEY}`);
    assert.equal(sent.body.model, 'gpt-test');
    assert.deepEqual(sent.body.messages, [
      { role: 'system', content: 'You draft replies.' },
      { role: 'user', content: 'Say hello' },
    ]);
  });

  test('no default provider: 409 llm_provider_missing', async () => {
    assert.equal(await hasLlmProvider(ctx.runtime, account.id), false);
    const error = await rejection(
      completeChat(ctx.runtime, account.id, { system: 's', messages: [], purpose: 'draft_reply' }),
    );
    assert.equal(error.code, 'llm_provider_missing');
    assert.equal(error.status, 409);
    assert.equal(fake.requests.length, 0);
  });
});

export { anthropicProvider, rejection, transcribeAudio };
