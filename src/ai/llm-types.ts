// The shapes of an LLM conversation as Fieldline speaks it, the same for every provider kind:
// the adapters (openai-chat.ts, anthropic-messages.ts) translate them to and from each API.
// llm-client.ts re-exports them: other modules import from there.

export type LlmProviderKind = 'openai' | 'anthropic';
export const LLM_PROVIDER_KINDS = ['openai', 'anthropic'] as const satisfies readonly LlmProviderKind[];

export interface LlmTool {
  name: string;
  description: string;
  /** JSON Schema of the tool's arguments (an object schema). */
  inputSchema: Record<string, unknown>;
}

export interface LlmToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export type LlmMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: LlmToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string };

export interface LlmRequest {
  system: string;
  messages: LlmMessage[];
  tools?: LlmTool[];
  /** At most the provider's own `max_tokens`. */
  maxTokens?: number;
  /** What the call is for, recorded with its usage: 'draft_reply', 'voice_command', 'provider_test', ... */
  purpose: string;
}

export interface LlmProviderRef {
  id: string;
  kind: LlmProviderKind;
  model: string;
}

export interface LlmAnswer {
  text: string;
  toolCalls: LlmToolCall[];
  usage: { inputTokens: number; outputTokens: number };
  provider: LlmProviderRef;
  latencyMs: number;
  /** Why the model stopped, as the provider says it (`stop`, `end_turn`, `tool_calls`, `tool_use`, `length`...). */
  stopReason: string | null;
}

/** A provider as a call needs it: its settings and its key, opened. Never logged. */
export interface LlmProviderConfig extends LlmProviderRef {
  name: string;
  baseUrl: string | null;
  apiKey: string;
  maxTokens: number;
  timeoutMs: number;
  transcriptionModel: string;
}

/** What an adapter answers: the answer without what the client adds (provider, latency). */
export type AdapterAnswer = Omit<LlmAnswer, 'provider' | 'latencyMs'>;
