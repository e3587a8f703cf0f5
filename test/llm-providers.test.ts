// LLM providers: the resource (the key never shown), one default per account, the client every
// AI feature calls (both APIs, tool calls both ways, failures as problems), the test action,
// token usage and its quota, and tenancy. The providers are played by support/llm-fake.ts on
// 127.0.0.1 (the test context allows private targets, as for webhook receivers).
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { startLlmFake, type LlmFake } from './support/llm-fake.ts';
import { completeChat, hasLlmProvider, transcribeAudio } from '../src/ai/llm-client.ts';
import { ApiError } from '../src/platform/errors.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { periodOf } from '../src/limits/monthly-quota.ts';
import { PLANS } from '../src/limits/plans.ts';
import { requestLogWriter } from '../src/analytics/analytics-services.ts';
import type { Runtime } from '../src/platform/contract.ts';

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

  test('a refused create is logged with its body, the api key redacted', async () => {
    const refused = await call('POST', '/v1/llm-providers', { name: 'X', kind: 'bogus', model: 'm', api_key: KEY });
    assert.equal(refused.status, 422);
    assert.doesNotMatch(refused.text, /fieldline-secret/);
    await ctx.runtime.use(requestLogWriter).flush();
    const log = await call('GET', `/v1/request-logs/${refused.headers.get('x-request-id')}`);
    assert.equal(log.status, 200, log.text);
    assert.equal(log.body.data.request_body.name, 'X');
    assert.equal(log.body.data.request_body.api_key, '[redacted]');
    assert.doesNotMatch(log.text, /fieldline-secret/);
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

const ask = (purpose = 'draft_reply', options: { providerId?: string } = {}, runtime: Runtime = ctx.runtime) =>
  completeChat(runtime, account.id, { system: 'sys', messages: [{ role: 'user', content: 'hi' }], purpose }, options);

/** The runtime with other options or logger (the same services and database). */
const runtimeWith = (changes: { options?: Partial<Runtime['options']>; logger?: Runtime['logger'] }): Runtime =>
  Object.create(ctx.runtime, {
    options: { value: { ...ctx.runtime.options, ...changes.options } },
    logger: { value: changes.logger ?? ctx.runtime.logger },
  });

describe('tool calls, both ways', () => {
  const tools = [
    {
      name: 'find_customer',
      description: 'Find a customer by name',
      inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    },
  ];
  const conversation = [
    { role: 'user' as const, content: 'Find Jones' },
    {
      role: 'assistant' as const,
      content: '',
      toolCalls: [{ id: 'call_a', name: 'find_customer', arguments: { name: 'Jones' } }],
    },
    { role: 'tool' as const, toolCallId: 'call_a', name: 'find_customer', content: '{"id":"cus_1"}' },
  ];

  test('openai: tools, tool_calls and role tool out; tool_calls back with parsed arguments', async () => {
    await openaiProvider();
    fake.reply({ toolCalls: [{ id: 'call_b', name: 'find_customer', arguments: { name: 'Dee' } }] });
    const answer = await completeChat(ctx.runtime, account.id, {
      system: 'plan',
      messages: conversation,
      tools,
      purpose: 'voice_command',
    });
    assert.deepEqual(answer.toolCalls, [{ id: 'call_b', name: 'find_customer', arguments: { name: 'Dee' } }]);
    assert.equal(answer.stopReason, 'tool_calls');
    const { body } = fake.requests[0];
    assert.deepEqual(body.tools, [
      {
        type: 'function',
        function: { name: 'find_customer', description: tools[0].description, parameters: tools[0].inputSchema },
      },
    ]);
    assert.deepEqual(body.messages.slice(2), [
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'find_customer', arguments: '{"name":"Jones"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: '{"id":"cus_1"}' },
    ]);
  });

  test('anthropic: system apart, tool_use and tool_result blocks out; tool_use back', async () => {
    await anthropicProvider();
    fake.reply({ text: 'Looking.', toolCalls: [{ id: 'toolu_b', name: 'find_customer', arguments: { name: 'Dee' } }] });
    const answer = await completeChat(ctx.runtime, account.id, {
      system: 'plan',
      messages: conversation,
      tools,
      purpose: 'voice_command',
    });
    assert.equal(answer.text, 'Looking.');
    assert.deepEqual(answer.toolCalls, [{ id: 'toolu_b', name: 'find_customer', arguments: { name: 'Dee' } }]);
    assert.equal(answer.provider.kind, 'anthropic');
    const [sent] = fake.requests;
    assert.equal(sent.path, '/v1/messages');
    assert.equal(sent.headers['x-api-key'], KEY);
    assert.ok(sent.headers['anthropic-version']);
    assert.equal(sent.body.system, 'plan');
    assert.equal(sent.body.model, 'claude-test');
    assert.deepEqual(sent.body.tools, [
      { name: 'find_customer', description: tools[0].description, input_schema: tools[0].inputSchema },
    ]);
    assert.deepEqual(sent.body.messages, [
      { role: 'user', content: [{ type: 'text', text: 'Find Jones' }] },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'call_a', name: 'find_customer', input: { name: 'Jones' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_a', content: '{"id":"cus_1"}' }] },
    ]);
  });

  test('tool arguments that are not JSON, or no choices: 502 naming the provider, never a crash', async () => {
    const provider = await openaiProvider();
    fake.failNext({ mode: 'bad_tool_arguments' });
    fake.reply({ toolCalls: [{ name: 'find_customer', arguments: {} }] });
    const bad = await rejection(ask());
    assert.equal(bad.status, 502);
    assert.equal(bad.code, 'llm_provider_error');
    assert.match(bad.detail, /not JSON/);
    assert.match(bad.detail, new RegExp(provider.id));
    fake.failNext({ mode: 'no_choices' });
    assert.match((await rejection(ask())).detail, /no choices/);
    fake.failNext({ mode: 'malformed' });
    const malformed = await rejection(ask());
    assert.equal(malformed.code, 'llm_provider_error');
    assert.match(malformed.detail, /malformed/);
  });
});

describe('failures, retries and the test action', () => {
  test('test action: ok with latency and model, for both kinds', async () => {
    for (const make of [openaiProvider, anthropicProvider]) {
      const provider = await make();
      const tested = await call('POST', `/v1/llm-providers/${provider.id}/test`);
      assert.equal(tested.status, 200, tested.text);
      assert.equal(tested.body.data.ok, true);
      assert.equal(tested.body.data.model, provider.model);
      assert.equal(typeof tested.body.data.latency_ms, 'number');
      assert.equal(tested.body.data.error, null);
    }
    assert.equal(fake.requests.length, 2);
  });

  test('a key the provider refuses: the test reports its 401, never the key, nor do the logs', async () => {
    const provider = await openaiProvider();
    fake.keys.add('sk-the-only-good-key');
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    try {
      const tested = await call('POST', `/v1/llm-providers/${provider.id}/test`);
      assert.equal(tested.status, 200, tested.text);
      assert.equal(tested.body.data.ok, false);
      assert.equal(tested.body.data.provider_status, 401);
      assert.match(tested.body.data.error, /answered 401/);
      assert.doesNotMatch(tested.text, /fieldline-secret/);
      const error = await rejection(ask('draft_reply', {}, runtimeWith({ logger })));
      assert.equal(error.status, 502);
      assert.doesNotMatch(error.detail + JSON.stringify(error.extra), /fieldline-secret/);
      assert.ok(lines.some((line) => /answered 401/.test(line)));
      assert.doesNotMatch(lines.join('\n'), /fieldline-secret/);
      assert.equal(fake.requests.length, 2); // a 401 is not retried
    } finally {
      fake.keys.clear();
    }
  });

  test('429 with Retry-After, then success: retried by the SDK', async () => {
    await anthropicProvider();
    fake.failNext({ status: 429, retryAfter: 0 });
    const answer = await ask();
    assert.equal(answer.text, 'ok');
    assert.equal(fake.requests.length, 2);
    assert.equal(fake.requests[1].path, '/v1/messages');
  });

  test('500 on every attempt: 502 naming the status after the retries', async () => {
    await openaiProvider();
    fake.failNext({ status: 500, message: 'upstream exploded' }, 3);
    const error = await rejection(ask());
    assert.equal(error.code, 'llm_provider_error');
    assert.equal(error.extra.provider_status, 500);
    assert.match(error.detail, /answered 500: upstream exploded/);
    assert.equal(fake.requests.length, 3);
  });

  test('slower than timeout_ms: 504 from completeChat, ok: false from the test action', async () => {
    const provider = await openaiProvider({ timeout_ms: 1000 });
    fake.failNext({ mode: 'slow', ms: 1500 }, 3);
    const error = await rejection(ask());
    assert.equal(error.status, 504);
    assert.equal(error.code, 'llm_provider_timeout');
    fake.failNext({ mode: 'slow', ms: 1500 }, 3);
    const tested = await call('POST', `/v1/llm-providers/${provider.id}/test`);
    assert.equal(tested.status, 200, tested.text);
    assert.equal(tested.body.data.ok, false);
    assert.match(tested.body.data.error, /no answer within 1000 ms/);
  });

  test('malformed body: the test action answers ok: false, the API stays up', async () => {
    const provider = await openaiProvider();
    fake.failNext({ mode: 'malformed' });
    const tested = await call('POST', `/v1/llm-providers/${provider.id}/test`);
    assert.equal(tested.status, 200, tested.text);
    assert.equal(tested.body.data.ok, false);
    assert.match(tested.body.data.error, /malformed/);
    assert.equal((await call('GET', `/v1/llm-providers/${provider.id}`)).status, 200);
  });
});

describe('speech to text', () => {
  test('openai: multipart audio to audio/transcriptions; anthropic: 409', async () => {
    const openai = await openaiProvider({ transcription_model: 'whisper-test' });
    fake.transcript = 'schedule the Jones job';
    const heard = await transcribeAudio(ctx.runtime, account.id, {
      data: Buffer.from('RIFF....WAVEfmt '),
      contentType: 'audio/wav',
      filename: 'command.wav',
    });
    assert.equal(heard.text, 'schedule the Jones job');
    assert.equal(heard.provider.id, openai.id);
    const [sent] = fake.requests;
    assert.equal(sent.path, '/v1/audio/transcriptions');
    assert.equal(sent.body.model, 'whisper-test');
    assert.equal(sent.body.file.name, 'command.wav');
    assert.equal(sent.body.file.size, 16);
    await anthropicProvider();
    const error = await rejection(
      transcribeAudio(ctx.runtime, account.id, { data: Buffer.from('x'), contentType: 'audio/wav' }),
    );
    assert.equal(error.status, 409);
    assert.match(error.detail, /no speech-to-text/);
    assert.equal(fake.requests.length, 1);
  });
});

describe('target policy', () => {
  test('a private base_url is refused unless the server allows private targets', async () => {
    const strict = await createTestContext({ webhooks: { allowPrivate: false } });
    try {
      const other = await strict.newAccount('Strict Co');
      for (const base_url of [fake.openaiBaseUrl, 'https://10.1.2.3/v1', 'https://169.254.169.254/v1']) {
        const refused = await strict.call('POST', '/v1/llm-providers', {
          key: other.key,
          body: { name: 'Local', kind: 'openai', model: 'm', base_url, api_key: KEY },
        });
        assert.equal(refused.status, 422, `${base_url}: ${refused.text}`);
        assert.equal(refused.body.errors[0].path, 'base_url');
      }
    } finally {
      await strict.close();
    }
    assert.equal(fake.requests.length, 0);
  });

  test('a saved loopback URL is refused at connect time once private targets are not allowed', async () => {
    await openaiProvider();
    const strict = runtimeWith({ options: { webhooks: { allowPrivate: false } } });
    const error = await rejection(ask('draft_reply', {}, strict));
    assert.equal(error.code, 'llm_provider_error');
    assert.match(error.detail, /refused/);
    assert.equal(fake.requests.length, 0);
  });
});

describe('usage and quota', () => {
  test('tokens recorded per call: GET /v1/usage ai section and GET /v1/rate-limit', async () => {
    const provider = await openaiProvider();
    fake.reply({ text: 'a', usage: { input: 40, output: 7 } }, { text: 'b', usage: { input: 10, output: 3 } });
    await ask('draft_reply');
    await ask('voice_command');
    fake.failNext({ status: 400, message: 'bad request' });
    await rejection(ask('voice_command'));
    const usage = await call('GET', '/v1/usage');
    assert.equal(usage.status, 200, usage.text);
    const ai = usage.body.data.ai;
    assert.deepEqual(
      {
        calls: ai.calls,
        failed_calls: ai.failed_calls,
        input_tokens: ai.input_tokens,
        output_tokens: ai.output_tokens,
      },
      { calls: 3, failed_calls: 1, input_tokens: 50, output_tokens: 10 },
    );
    assert.deepEqual(ai.by_provider, [
      {
        provider_id: provider.id,
        kind: 'openai',
        model: 'gpt-test',
        calls: 3,
        failed_calls: 1,
        input_tokens: 50,
        output_tokens: 10,
      },
    ]);
    assert.deepEqual(
      ai.by_purpose.map((p: { purpose: string; calls: number; input_tokens: number }) => [
        p.purpose,
        p.calls,
        p.input_tokens,
      ]),
      [
        ['draft_reply', 1, 40],
        ['voice_command', 2, 10],
      ],
    );
    const limits = await call('GET', '/v1/rate-limit');
    assert.equal(limits.body.data.quota.ai_tokens_used, 60);
    assert.equal(limits.body.data.quota.ai_tokens_limit, PLANS.standard.monthlyAiTokens);
  });

  test('quota used up: 429 quota_exceeded saying which quota and when it resets; nothing sent', async () => {
    account = await ctx.newAccount('Frugal Co', { plan: 'free' });
    const provider = await openaiProvider();
    await systemQuery(ctx.db, {
      sql: 'INSERT INTO usage_counters (account_id, period, ai_tokens) VALUES ($1, $2, $3)',
      parameters: [account.id, periodOf(Date.now()), PLANS.free.monthlyAiTokens],
    });
    const error = await rejection(ask());
    assert.equal(error.status, 429);
    assert.equal(error.code, 'quota_exceeded');
    assert.equal(error.extra.quota, 'ai_tokens');
    assert.match(error.detail, /AI tokens/);
    assert.match(error.detail, /start of next month/);
    assert.ok(Number(error.extra.headers?.['Retry-After']) > 0);
    const tested = await call('POST', `/v1/llm-providers/${provider.id}/test`);
    assert.equal(tested.status, 429, tested.text);
    assert.equal(fake.requests.length, 0);
  });
});

describe('tenancy', () => {
  test("another account's provider is 404 and never used", async () => {
    const theirs = await openaiProvider();
    const mine = await ctx.newAccount('Other Co');
    const other = (method: string, path: string) => ctx.call(method, path, { key: mine.key });
    assert.equal((await other('GET', `/v1/llm-providers/${theirs.id}`)).status, 404);
    assert.equal((await other('POST', `/v1/llm-providers/${theirs.id}/test`)).status, 404);
    assert.equal(await hasLlmProvider(ctx.runtime, mine.id), false);
    const named = await rejection(
      completeChat(ctx.runtime, mine.id, { system: 's', messages: [], purpose: 'x' }, { providerId: theirs.id }),
    );
    assert.equal(named.status, 404);
    const unnamed = await rejection(completeChat(ctx.runtime, mine.id, { system: 's', messages: [], purpose: 'x' }));
    assert.equal(unnamed.code, 'llm_provider_missing');
    assert.equal(fake.requests.length, 0);
  });
});
