// The OpenAI Chat Completions API (and every server that speaks it: vLLM, Ollama, LiteLLM...)
// through the official SDK: our conversation to its messages (`tools`, `tool_calls`, `role: tool`)
// and its answer back. Also speech to text (`audio/transcriptions`).
import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/index';
import { MalformedAnswer } from './provider-problem.ts';
import type { GuardedFetch } from './guarded-fetch.ts';
import type { AdapterAnswer, LlmProviderConfig, LlmRequest, LlmToolCall } from './llm-types.ts';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** Retries on 429, 5xx and lost connections; the SDK waits as Retry-After says (up to a minute). */
export const LLM_MAX_RETRIES = 2;

/** A client for the provider; the SDK is loaded on first use, so a server that never calls one never loads it. */
export async function openaiClient(provider: LlmProviderConfig, fetch: GuardedFetch): Promise<OpenAI> {
  const { default: OpenAI } = await import('openai');
  return new OpenAI({
    apiKey: provider.apiKey,
    baseURL: provider.baseUrl ?? OPENAI_DEFAULT_BASE_URL,
    timeout: provider.timeoutMs,
    maxRetries: LLM_MAX_RETRIES,
    fetch,
    // The SDK logs nothing of ours (its debug logs would carry headers).
    logLevel: 'off',
    // No organisation or project from the server's environment: the provider's key alone decides.
    organization: null,
    project: null,
  });
}

function toMessages(request: LlmRequest): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: request.system }];
  for (const message of request.messages) {
    if (message.role === 'user') messages.push({ role: 'user', content: message.content });
    else if (message.role === 'tool')
      messages.push({ role: 'tool', tool_call_id: message.toolCallId, content: message.content });
    else if (message.toolCalls?.length)
      messages.push({
        role: 'assistant',
        content: message.content || null,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function' as const,
          function: { name: call.name, arguments: JSON.stringify(call.arguments) },
        })),
      });
    else messages.push({ role: 'assistant', content: message.content });
  }
  return messages;
}

export function openaiParams(provider: LlmProviderConfig, request: LlmRequest): ChatCompletionCreateParamsNonStreaming {
  return {
    model: provider.model,
    messages: toMessages(request),
    max_completion_tokens: Math.min(request.maxTokens ?? provider.maxTokens, provider.maxTokens),
    ...(request.tools?.length
      ? {
          tools: request.tools.map((tool) => ({
            type: 'function' as const,
            function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
          })),
        }
      : {}),
  };
}

/** A tool call's arguments: JSON text that must hold an object. */
function parseArguments(name: string, text: unknown): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = typeof text === 'string' && text.trim() ? JSON.parse(text) : {};
  } catch {
    throw new MalformedAnswer(`the arguments of tool call '${name}' are not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new MalformedAnswer(`the arguments of tool call '${name}' are not a JSON object`);
  return parsed as Record<string, unknown>;
}

/** The SDK's completion as our answer; anything missing that an answer needs is malformed. */
export function fromCompletion(completion: unknown): AdapterAnswer {
  const body = completion as Partial<OpenAI.ChatCompletion> | null;
  const choice = Array.isArray(body?.choices) ? body.choices[0] : undefined;
  if (!choice || typeof choice.message !== 'object' || choice.message === null)
    throw new MalformedAnswer('no choices in the completion');
  const message = choice.message;
  if (message.content !== null && message.content !== undefined && typeof message.content !== 'string')
    throw new MalformedAnswer('the message content is not text');
  const toolCalls: LlmToolCall[] = [];
  for (const [index, call] of (Array.isArray(message.tool_calls) ? message.tool_calls : []).entries()) {
    if (call?.type !== 'function' || typeof call.function?.name !== 'string')
      throw new MalformedAnswer(`tool call ${index} is not a function call`);
    toolCalls.push({
      id: typeof call.id === 'string' && call.id ? call.id : `call_${index}`,
      name: call.function.name,
      arguments: parseArguments(call.function.name, call.function.arguments),
    });
  }
  return {
    text: message.content ?? '',
    toolCalls,
    usage: { inputTokens: count(body?.usage?.prompt_tokens), outputTokens: count(body?.usage?.completion_tokens) },
    stopReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
  };
}

/** A token count as reported; a server that reports none costs nothing rather than failing. */
export const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

export async function openaiComplete(
  provider: LlmProviderConfig,
  request: LlmRequest,
  fetch: GuardedFetch,
): Promise<AdapterAnswer> {
  const client = await openaiClient(provider, fetch);
  const completion = await client.chat.completions.create(openaiParams(provider, request));
  return fromCompletion(completion);
}

export async function openaiTranscribe(
  provider: LlmProviderConfig,
  audio: { data: Buffer; contentType: string; filename?: string },
  fetch: GuardedFetch,
): Promise<string> {
  const { toFile } = await import('openai');
  const file = await toFile(audio.data, audio.filename ?? 'audio', { type: audio.contentType });
  const client = await openaiClient(provider, fetch);
  const answer = (await client.audio.transcriptions.create({
    file,
    model: provider.transcriptionModel,
  })) as unknown as { text?: unknown } | null;
  if (typeof answer?.text !== 'string') throw new MalformedAnswer('the transcription has no text');
  return answer.text;
}
