import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MalformedAnswer, describeFailure, providerProblem, scrubbed } from './provider-problem.ts';
import { fromCompletion } from './openai-chat.ts';
import { fromMessage } from './anthropic-messages.ts';
import type { LlmProviderConfig } from './llm-types.ts';

const provider: LlmProviderConfig = {
  id: 'llm_1',
  name: 'Main',
  kind: 'openai',
  model: 'gpt-test',
  baseUrl: null,
  apiKey: 'sk-proj-abcdefghijklmnop',
  maxTokens: 100,
  timeoutMs: 1000,
  transcriptionModel: 'whisper-1',
};

test('scrubbed masks the key, anything key-shaped, and keeps messages short', () => {
  assert.equal(scrubbed('bad key sk-proj-abcdefghijklmnop here', provider.apiKey), 'bad key [redacted] here');
  assert.equal(
    scrubbed('Incorrect API key provided: sk-proj-****mnop', 'other'),
    'Incorrect API key provided: [redacted]',
  );
  assert.equal(scrubbed('x'.repeat(400), '').length, 301);
});

test('malformed output is a 502 naming the provider; a timeout is a 504', async () => {
  const malformed = providerProblem(await describeFailure(new MalformedAnswer('no choices'), provider), provider);
  assert.equal(malformed.status, 502);
  assert.match(malformed.detail, /llm_1.*malformed answer: no choices/);
  const parse = providerProblem(
    await describeFailure(new SyntaxError('Unexpected end of JSON input'), provider),
    provider,
  );
  assert.equal(parse.code, 'llm_provider_error');
});

test('answers the adapters cannot read are MalformedAnswer, never a TypeError', () => {
  for (const body of [null, {}, { choices: [] }, { choices: [{}] }, { choices: [{ message: { content: 5 } }] }])
    assert.throws(() => fromCompletion(body), MalformedAnswer, JSON.stringify(body));
  const badArguments = {
    choices: [{ message: { tool_calls: [{ type: 'function', function: { name: 'f', arguments: '[1]' } }] } }],
  };
  assert.throws(() => fromCompletion(badArguments), /not a JSON object/);
  for (const body of [null, {}, { content: 'text' }, { content: [{ type: 'tool_use', name: 'f', input: 'x' }] }])
    assert.throws(() => fromMessage(body), MalformedAnswer, JSON.stringify(body));
  assert.deepEqual(fromMessage({ content: [{ type: 'text', text: 'hi' }] }).usage, { inputTokens: 0, outputTokens: 0 });
});
