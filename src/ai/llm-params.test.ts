import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anthropicParams } from './anthropic-messages.ts';
import { openaiParams } from './openai-chat.ts';
import type { LlmProviderConfig, LlmRequest } from './llm-types.ts';

const provider: LlmProviderConfig = {
  id: 'llm_1',
  name: 'Main',
  kind: 'anthropic',
  model: 'claude-test',
  baseUrl: null,
  apiKey: 'k',
  maxTokens: 500,
  timeoutMs: 1000,
  transcriptionModel: 'whisper-1',
};

const twoCalls: LlmRequest = {
  system: 'plan',
  purpose: 'voice_command',
  maxTokens: 10_000,
  messages: [
    { role: 'user', content: 'Find Jones and Dee' },
    {
      role: 'assistant',
      content: 'Looking both up.',
      toolCalls: [
        { id: 'a', name: 'find', arguments: { q: 'Jones' } },
        { id: 'b', name: 'find', arguments: { q: 'Dee' } },
      ],
    },
    { role: 'tool', toolCallId: 'a', name: 'find', content: '[]' },
    { role: 'tool', toolCallId: 'b', name: 'find', content: '[1]' },
    { role: 'user', content: 'And then?' },
  ],
};

test("anthropic: one assistant turn's tool results travel together in the next user turn", () => {
  const params = anthropicParams(provider, twoCalls);
  assert.equal(params.max_tokens, 500, "at most the provider's max_tokens");
  assert.deepEqual(
    params.messages.map((m) => [m.role, (m.content as { type: string }[]).map((block) => block.type)]),
    [
      ['user', ['text']],
      ['assistant', ['text', 'tool_use', 'tool_use']],
      ['user', ['tool_result', 'tool_result', 'text']],
    ],
  );
});

test('openai: one tool message per result, the assistant turn keeps its text, max tokens capped', () => {
  const params = openaiParams({ ...provider, kind: 'openai' }, { ...twoCalls, maxTokens: 50 });
  assert.equal(params.max_completion_tokens, 50);
  assert.deepEqual(
    params.messages.map((m) => m.role),
    ['system', 'user', 'assistant', 'tool', 'tool', 'user'],
  );
  assert.equal(params.messages[2].content, 'Looking both up.');
  assert.equal(openaiParams(provider, { ...twoCalls, tools: [] }).tools, undefined);
});
