// LLM providers on 127.0.0.1 for tests, as their APIs document them: OpenAI's Chat Completions
// (`POST /v1/chat/completions`: tools, `tool_calls`, `usage`) and speech to text
// (`POST /v1/audio/transcriptions`, multipart, answering `{text}`), and Anthropic's Messages API
// (`POST /v1/messages`: `tool_use` blocks, `usage`; `x-api-key` and `anthropic-version` required).
//
//   const fake = await startLlmFake();
//   create a provider with base_url fake.openaiBaseUrl (kind openai) or fake.anthropicBaseUrl (anthropic)
//   fake.reply({ text: 'Hello' }) or fake.reply({ toolCalls: [{ name: 'find_customer', arguments: {...} }] })
//   fake.failNext({ status: 429, retryAfter: 0 }) / { status: 500 } / { mode: 'slow', ms: 3000 } /
//     { mode: 'malformed' } (a body that is not JSON) / { mode: 'no_choices' } / { mode: 'bad_tool_arguments' }
//   fake.requests: every request received (path, headers, parsed body), to assert the prompt, model and key.
//   fake.transcript = 'what the audio said'; fake.close() in `after`.
// Replies and failures are used once each, in order, by whichever API is called next; with none
// queued the answer is the text 'ok'. Answers of either API report the usage set by the reply.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeToolCall {
  id?: string;
  name: string;
  arguments: Record<string, unknown>;
}

export interface FakeReply {
  text?: string;
  toolCalls?: FakeToolCall[];
  usage?: { input: number; output: number };
}

export type FakeFailure =
  | { status: number; message?: string; retryAfter?: number }
  | { mode: 'slow'; ms: number }
  | { mode: 'malformed' | 'no_choices' | 'bad_tool_arguments' };

export interface FakeRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** JSON bodies parsed; multipart ones as their text fields plus `file` = { name, type, size }. */
  body: any;
}

export interface LlmFake {
  url: string;
  openaiBaseUrl: string;
  anthropicBaseUrl: string;
  requests: FakeRequest[];
  /** Keys the fake accepts; anything else is a 401 in the provider's own error shape. Empty: any key. */
  keys: Set<string>;
  transcript: string;
  reply(...replies: FakeReply[]): void;
  failNext(failure: FakeFailure, times?: number): void;
  close(): Promise<void>;
}

const DEFAULT_USAGE = { input: 12, output: 3 };

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseBody(request: IncomingMessage, raw: Buffer): Promise<any> {
  const type = request.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': type } }).formData();
    const fields: Record<string, unknown> = {};
    for (const [name, value] of form)
      fields[name] = typeof value === 'string' ? value : { name: value.name, type: value.type, size: value.size };
    return fields;
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return raw.toString('utf8');
  }
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** The providers' error objects: OpenAI `{error: {message, type}}`, Anthropic `{type: 'error', error: {...}}`. */
function errorBody(anthropic: boolean, status: number, message: string) {
  const type = status === 401 ? 'authentication_error' : status === 429 ? 'rate_limit_error' : 'api_error';
  return anthropic
    ? { type: 'error', error: { type, message } }
    : { error: { message, type, param: null, code: null } };
}

function openaiCompletion(body: any, reply: FakeReply, badArguments: boolean) {
  const usage = reply.usage ?? DEFAULT_USAGE;
  const toolCalls = (reply.toolCalls ?? []).map((call, index) => ({
    id: call.id ?? `call_${index + 1}`,
    type: 'function',
    function: { name: call.name, arguments: badArguments ? '{"unterminated' : JSON.stringify(call.arguments) },
  }));
  return {
    id: `chatcmpl-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body?.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.text ?? (toolCalls.length ? null : 'ok'),
          refusal: null,
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: toolCalls.length ? 'tool_calls' : 'stop',
      },
    ],
    usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
  };
}

function anthropicMessage(body: any, reply: FakeReply) {
  const usage = reply.usage ?? DEFAULT_USAGE;
  const toolUses = (reply.toolCalls ?? []).map((call, index) => ({
    type: 'tool_use',
    id: call.id ?? `toolu_${index + 1}`,
    name: call.name,
    input: call.arguments,
  }));
  const text = reply.text ?? (toolUses.length ? '' : 'ok');
  return {
    id: `msg_${Date.now()}`,
    type: 'message',
    role: 'assistant',
    model: body?.model,
    content: [...(text ? [{ type: 'text', text }] : []), ...toolUses],
    stop_reason: toolUses.length ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: usage.input, output_tokens: usage.output },
  };
}

export async function startLlmFake(): Promise<LlmFake> {
  const replies: FakeReply[] = [];
  const failures: FakeFailure[] = [];
  const requests: FakeRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const fake = { keys: new Set<string>(), transcript: 'schedule the Jones job for Tuesday at 9' };

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const raw = await readBody(request);
    const path = (request.url ?? '/').split('?')[0];
    const body = await parseBody(request, raw);
    requests.push({ method: request.method ?? 'GET', path, headers: request.headers, body });
    const anthropic = path === '/v1/messages';
    const known = anthropic || path === '/v1/chat/completions' || path === '/v1/audio/transcriptions';
    if (request.method !== 'POST' || !known)
      return json(response, 404, errorBody(anthropic, 404, `No route ${request.method} ${path}`));
    const key = anthropic
      ? request.headers['x-api-key']
      : /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (anthropic && !request.headers['anthropic-version'])
      return json(response, 400, errorBody(true, 400, 'anthropic-version: header is required'));
    if (typeof key !== 'string' || (fake.keys.size && !fake.keys.has(key)))
      return json(response, 401, errorBody(anthropic, 401, `Incorrect API key provided: ${key}`));
    const failure = failures.shift();
    if (failure && 'status' in failure) {
      const headers: Record<string, string> =
        failure.retryAfter === undefined ? {} : { 'retry-after': `${failure.retryAfter}` };
      return json(
        response,
        failure.status,
        errorBody(anthropic, failure.status, failure.message ?? 'fake failure'),
        headers,
      );
    }
    if (failure?.mode === 'slow') await new Promise((resolve) => setTimeout(resolve, failure.ms));
    if (failure?.mode === 'malformed') {
      response.writeHead(200, { 'content-type': 'application/json' });
      return response.end('{"id": "chatcmpl-1", "choices": [');
    }
    if (response.destroyed) return;
    if (path === '/v1/audio/transcriptions') return json(response, 200, { text: fake.transcript });
    if (failure?.mode === 'no_choices')
      return json(response, 200, anthropic ? { id: 'msg_1', type: 'message' } : { id: 'chatcmpl-1', choices: [] });
    const reply = replies.shift() ?? {};
    if (anthropic) return json(response, 200, anthropicMessage(body, reply));
    json(response, 200, openaiCompletion(body, reply, failure?.mode === 'bad_tool_arguments'));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error) => {
      if (!response.headersSent) json(response, 500, { error: { message: String(error) } });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    url,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: url,
    requests,
    reply: (...more: FakeReply[]) => void replies.push(...more),
    failNext: (failure: FakeFailure, times = 1) => {
      for (let i = 0; i < times; i++) failures.push(failure);
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
