// Anthropic's Messages API through the official SDK: our conversation to its messages (`tools`,
// `tool_use` and `tool_result` blocks, the system prompt apart) and its answer back.
import type Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming, MessageParam } from '@anthropic-ai/sdk/resources/messages';
import { MalformedAnswer } from './provider-problem.ts';
import { count, LLM_MAX_RETRIES } from './openai-chat.ts';
import type { GuardedFetch } from './guarded-fetch.ts';
import type { AdapterAnswer, LlmProviderConfig, LlmRequest, LlmToolCall } from './llm-types.ts';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** A client for the provider; the SDK is loaded on first use, so a server that never calls one never loads it. */
export async function anthropicClient(provider: LlmProviderConfig, fetch: GuardedFetch): Promise<Anthropic> {
  const { default: Anthropic } = await import('@anthropic-ai/sdk');
  return new Anthropic({
    // An explicit key: the SDK then reads no credentials from the server's environment or disk.
    apiKey: provider.apiKey,
    authToken: null,
    // The header the Messages API documents, besides the SDK's own Authorization.
    defaultHeaders: { 'x-api-key': provider.apiKey },
    baseURL: provider.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL,
    timeout: provider.timeoutMs,
    maxRetries: LLM_MAX_RETRIES,
    fetch,
    logLevel: 'off',
  });
}

type Block = Exclude<MessageParam['content'], string>[number];

/**
 * Our messages as Anthropic's: a tool result is a `tool_result` block in a user turn, and the
 * results of one assistant turn's calls travel together in the next user turn.
 */
function toMessages(request: LlmRequest): MessageParam[] {
  const messages: MessageParam[] = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]) => {
    const last = messages[messages.length - 1];
    if (last?.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const message of request.messages) {
    if (message.role === 'user') push('user', [{ type: 'text', text: message.content }]);
    else if (message.role === 'tool')
      push('user', [{ type: 'tool_result', tool_use_id: message.toolCallId, content: message.content }]);
    else
      push('assistant', [
        ...(message.content ? [{ type: 'text' as const, text: message.content }] : []),
        ...(message.toolCalls ?? []).map((call) => ({
          type: 'tool_use' as const,
          id: call.id,
          name: call.name,
          input: call.arguments,
        })),
      ]);
  }
  return messages;
}

export function anthropicParams(provider: LlmProviderConfig, request: LlmRequest): MessageCreateParamsNonStreaming {
  return {
    model: provider.model,
    max_tokens: Math.min(request.maxTokens ?? provider.maxTokens, provider.maxTokens),
    system: request.system,
    messages: toMessages(request),
    ...(request.tools?.length
      ? {
          tools: request.tools.map((tool) => ({
            name: tool.name,
            description: tool.description,
            input_schema: { type: 'object' as const, ...tool.inputSchema },
          })),
        }
      : {}),
  };
}

/** The SDK's message as our answer; content we cannot read is malformed. */
export function fromMessage(message: unknown): AdapterAnswer {
  const body = message as Partial<Anthropic.Message> | null;
  if (!Array.isArray(body?.content)) throw new MalformedAnswer('the message has no content');
  const texts: string[] = [];
  const toolCalls: LlmToolCall[] = [];
  for (const [index, block] of body.content.entries()) {
    if (block?.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    else if (block?.type === 'tool_use') {
      if (typeof block.name !== 'string') throw new MalformedAnswer(`tool_use block ${index} has no name`);
      const input = block.input;
      if (typeof input !== 'object' || input === null || Array.isArray(input))
        throw new MalformedAnswer(`the input of tool call '${block.name}' is not a JSON object`);
      toolCalls.push({
        id: typeof block.id === 'string' && block.id ? block.id : `toolu_${index}`,
        name: block.name,
        arguments: input as Record<string, unknown>,
      });
    }
    // Other blocks (thinking, server tools) carry nothing our callers use.
  }
  return {
    text: texts.join(''),
    toolCalls,
    usage: { inputTokens: count(body.usage?.input_tokens), outputTokens: count(body.usage?.output_tokens) },
    stopReason: typeof body.stop_reason === 'string' ? body.stop_reason : null,
  };
}

export async function anthropicComplete(
  provider: LlmProviderConfig,
  request: LlmRequest,
  fetch: GuardedFetch,
): Promise<AdapterAnswer> {
  const client = await anthropicClient(provider, fetch);
  const message = await client.messages.create(anthropicParams(provider, request));
  return fromMessage(message);
}
