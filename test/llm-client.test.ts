// completeChat and transcribeAudio, the client every AI feature calls: both APIs with tool calls
// both ways, malformed answers as problems, speech to text, token usage (GET /v1/usage, GET
// /v1/rate-limit) and the AI token quota. Providers are played by support/llm-fake.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { llmSuite, LLM_TEST_KEY as KEY, rejection } from './support/llm-suite.ts';
import { completeChat, hasLlmProvider, transcribeAudio } from '../src/ai/llm-client.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { periodOf } from '../src/limits/monthly-quota.ts';
import { PLANS } from '../src/limits/plans.ts';

const { s, call, openaiProvider, anthropicProvider, ask } = llmSuite();

describe('completeChat, openai kind', () => {
  test('sends the prompt with the key and model, answers text and usage', async () => {
    await openaiProvider();
    assert.equal(await hasLlmProvider(s.ctx.runtime, s.account.id), true);
    s.fake.reply({ text: 'Hello Jones', usage: { input: 40, output: 7 } });
    const answer = await completeChat(s.ctx.runtime, s.account.id, {
      system: 'You draft replies.',
      messages: [{ role: 'user', content: 'Say hello' }],
      purpose: 'draft_reply',
    });
    assert.equal(answer.text, 'Hello Jones');
    assert.deepEqual(answer.usage, { inputTokens: 40, outputTokens: 7 });
    assert.equal(answer.provider.kind, 'openai');
    assert.equal(answer.provider.model, 'gpt-test');
    assert.ok(answer.latencyMs >= 0);
    const [sent] = s.fake.requests;
    assert.equal(sent.path, '/v1/chat/completions');
    assert.equal(sent.headers.authorization, `Bearer ${KEY}`);
    assert.equal(sent.body.model, 'gpt-test');
    assert.deepEqual(sent.body.messages, [
      { role: 'system', content: 'You draft replies.' },
      { role: 'user', content: 'Say hello' },
    ]);
  });

  test('no default provider: 409 llm_provider_missing', async () => {
    assert.equal(await hasLlmProvider(s.ctx.runtime, s.account.id), false);
    const error = await rejection(
      completeChat(s.ctx.runtime, s.account.id, { system: 's', messages: [], purpose: 'draft_reply' }),
    );
    assert.equal(error.code, 'llm_provider_missing');
    assert.equal(error.status, 409);
    assert.equal(s.fake.requests.length, 0);
  });
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
    s.fake.reply({ toolCalls: [{ id: 'call_b', name: 'find_customer', arguments: { name: 'Dee' } }] });
    const answer = await completeChat(s.ctx.runtime, s.account.id, {
      system: 'plan',
      messages: conversation,
      tools,
      purpose: 'voice_command',
    });
    assert.deepEqual(answer.toolCalls, [{ id: 'call_b', name: 'find_customer', arguments: { name: 'Dee' } }]);
    assert.equal(answer.stopReason, 'tool_calls');
    const { body } = s.fake.requests[0];
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
    s.fake.reply({
      text: 'Looking.',
      toolCalls: [{ id: 'toolu_b', name: 'find_customer', arguments: { name: 'Dee' } }],
    });
    const answer = await completeChat(s.ctx.runtime, s.account.id, {
      system: 'plan',
      messages: conversation,
      tools,
      purpose: 'voice_command',
    });
    assert.equal(answer.text, 'Looking.');
    assert.deepEqual(answer.toolCalls, [{ id: 'toolu_b', name: 'find_customer', arguments: { name: 'Dee' } }]);
    assert.equal(answer.provider.kind, 'anthropic');
    const [sent] = s.fake.requests;
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
    s.fake.failNext({ mode: 'bad_tool_arguments' });
    s.fake.reply({ toolCalls: [{ name: 'find_customer', arguments: {} }] });
    const bad = await rejection(ask());
    assert.equal(bad.status, 502);
    assert.equal(bad.code, 'llm_provider_error');
    assert.match(bad.detail, /not JSON/);
    assert.match(bad.detail, new RegExp(provider.id));
    s.fake.failNext({ mode: 'no_choices' });
    assert.match((await rejection(ask())).detail, /no choices/);
    s.fake.failNext({ mode: 'malformed' });
    const malformed = await rejection(ask());
    assert.equal(malformed.code, 'llm_provider_error');
    assert.match(malformed.detail, /malformed/);
  });
});

describe('speech to text', () => {
  test('openai: multipart audio to audio/transcriptions; anthropic: 409', async () => {
    const openai = await openaiProvider({ transcription_model: 'whisper-test' });
    s.fake.transcript = 'schedule the Jones job';
    const heard = await transcribeAudio(s.ctx.runtime, s.account.id, {
      data: Buffer.from('RIFF....WAVEfmt '),
      contentType: 'audio/wav',
      filename: 'command.wav',
    });
    assert.equal(heard.text, 'schedule the Jones job');
    assert.equal(heard.provider.id, openai.id);
    const [sent] = s.fake.requests;
    assert.equal(sent.path, '/v1/audio/transcriptions');
    assert.equal(sent.body.model, 'whisper-test');
    assert.equal(sent.body.file.name, 'command.wav');
    assert.equal(sent.body.file.size, 16);
    await anthropicProvider();
    const error = await rejection(
      transcribeAudio(s.ctx.runtime, s.account.id, { data: Buffer.from('x'), contentType: 'audio/wav' }),
    );
    assert.equal(error.status, 409);
    assert.match(error.detail, /no speech-to-text/);
    assert.equal(s.fake.requests.length, 1);
  });
});

describe('usage and quota', () => {
  test('tokens recorded per call: GET /v1/usage ai section and GET /v1/rate-limit', async () => {
    const provider = await openaiProvider();
    s.fake.reply({ text: 'a', usage: { input: 40, output: 7 } }, { text: 'b', usage: { input: 10, output: 3 } });
    await ask('draft_reply');
    await ask('voice_command');
    s.fake.failNext({ status: 400, message: 'bad request' });
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
    s.account = await s.ctx.newAccount('Frugal Co', { plan: 'free' });
    const provider = await openaiProvider();
    await systemQuery(s.ctx.db, {
      sql: 'INSERT INTO usage_counters (account_id, period, ai_tokens) VALUES ($1, $2, $3)',
      parameters: [s.account.id, periodOf(Date.now()), PLANS.free.monthlyAiTokens],
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
    assert.equal(s.fake.requests.length, 0);
  });
});
