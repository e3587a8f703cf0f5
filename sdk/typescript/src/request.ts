// One API request with its retries: 429, 500/502/503/504 and network failures are retried with
// exponential backoff and full jitter, honouring Retry-After; a POST carries an Idempotency-Key
// (a fresh one unless the caller gives one) and is retried only when it does. A 401 under a
// refreshable credential (OAuth) is retried once with a new token.
import { FieldlineConnectionError, errorFromResponse, retryAfterMs } from './errors.ts';
import type { RequestOptions } from './types.ts';

/** Where bearer tokens come from: a fixed key, or an OAuth provider that refreshes. */
export interface TokenSource {
  /** The credential for the next request. */
  getToken(context: { baseUrl: string; fetch: typeof fetch }): Promise<string>;
  /** Forget the current token (it was refused); the next `getToken` fetches a new one. */
  invalidate?(): void;
}

export interface RetryEvent {
  method: string;
  url: string;
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  /** The status that caused the retry, or null after a network failure. */
  status: number | null;
  error?: unknown;
}

export interface RetryPolicy {
  /** Backoff before the first retry (before jitter); doubled on each retry. Default 500. */
  initialDelayMs: number;
  /** Backoff never exceeds this. Default 8000. */
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the error is thrown. Default 60000. */
  maxRetryAfterMs: number;
}

export interface TransportConfig {
  baseUrl: string;
  fetch: typeof fetch;
  /** null: the browser's session cookie authenticates (sent per `credentials`). */
  auth: TokenSource | null;
  credentials?: RequestCredentials;
  maxRetries: number;
  timeoutMs: number;
  userAgent: string | undefined;
  retry: RetryPolicy;
  onRetry: ((event: RetryEvent) => void) | undefined;
}

export interface ApiRequest {
  method: string;
  path: string;
  query?: Record<string, unknown>;
  /** JSON-encoded. */
  json?: unknown;
  /** Sent as multipart/form-data: Blobs as files, anything else as text. */
  form?: Record<string, unknown>;
  accept?: string;
  /** The caller reads the body as a stream: its `signal` keeps aborting it after the answer arrives. */
  stream?: boolean;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

export function buildUrl(baseUrl: string, path: string, query: Record<string, unknown> | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    params.append(
      name,
      Array.isArray(value) ? value.join(',') : value instanceof Date ? value.toISOString() : String(value),
    );
  }
  const search = params.toString();
  return `${baseUrl.replace(/\/+$/, '')}${path}${search ? `?${search}` : ''}`;
}

function formData(fields: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    if (value instanceof Blob) form.append(name, value, (value as Partial<File>).name ?? name);
    else form.append(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return form;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener('abort', abort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** How long to wait before retrying this answer, or null when it must not be retried. */
function retryDelay(response: Response, retry: number, policy: RetryPolicy, hasKey: boolean): number | null {
  const retryAfter = retryAfterMs(response.headers.get('retry-after'));
  // A 409 with Retry-After: the first request with this Idempotency-Key is still running.
  const retryable = RETRYABLE_STATUS.has(response.status) || (response.status === 409 && hasKey && retryAfter !== null);
  if (!retryable) return null;
  if (retryAfter !== null) return retryAfter <= policy.maxRetryAfterMs ? retryAfter : null;
  return backoff(retry, policy);
}

/** Exponential backoff with full jitter. */
function backoff(retry: number, policy: RetryPolicy): number {
  return Math.round(Math.random() * Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (retry - 1)));
}

/** Sends the request, retrying as allowed; resolves to a 2xx Response or throws a typed error. */
export async function sendRequest(
  config: TransportConfig,
  request: ApiRequest,
  options: RequestOptions = {},
): Promise<Response> {
  const url = buildUrl(config.baseUrl, request.path, request.query);
  const method = request.method.toUpperCase();
  const idempotencyKey =
    method === 'POST' ? (options.idempotencyKey === undefined ? crypto.randomUUID() : options.idempotencyKey) : null;
  const retryable = method !== 'POST' || idempotencyKey !== null;
  const maxRetries = retryable ? (options.maxRetries ?? config.maxRetries) : 0;
  const timeoutMs = options.timeoutMs ?? config.timeoutMs;
  let refreshedToken = false;

  for (let retry = 0; ; retry++) {
    const headers: Record<string, string> = { ...options.headers };
    if (config.auth)
      headers.authorization = `Bearer ${await config.auth.getToken({ baseUrl: config.baseUrl, fetch: config.fetch })}`;
    if (request.accept) headers.accept = request.accept;
    if (config.userAgent) headers['user-agent'] = config.userAgent;
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    let body: BodyInit | undefined;
    if (request.form) body = formData(request.form);
    else if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers['content-type'] = 'application/json';
    }

    let response: Response;
    const attempt = withTimeout(options.signal, timeoutMs);
    try {
      response = await config.fetch(url, {
        method,
        headers,
        body,
        signal: attempt.signal,
        credentials: config.credentials,
      });
    } catch (error) {
      attempt.detach();
      if (options.signal?.aborted) throw error;
      const reason = attempt.timedOut()
        ? `no answer within ${timeoutMs} ms`
        : String((error as Error)?.message ?? error);
      const failure = new FieldlineConnectionError(`${method} ${url}: ${reason}`, { cause: error });
      if (retry >= maxRetries) throw failure;
      const delayMs = backoff(retry + 1, config.retry);
      config.onRetry?.({ method, url, retry: retry + 1, delayMs, status: null, error });
      await sleep(delayMs, options.signal);
      continue;
    } finally {
      attempt.clearTimer();
    }

    if (!(response.ok && request.stream)) attempt.detach();
    if (response.ok) return response;
    if (response.status === 401 && config.auth?.invalidate && !refreshedToken) {
      // The token may have expired or been revoked since it was fetched: one more try with a new one.
      refreshedToken = true;
      config.auth.invalidate();
      await response.body?.cancel();
      retry--;
      continue;
    }
    const delayMs = retry < maxRetries ? retryDelay(response, retry + 1, config.retry, idempotencyKey !== null) : null;
    if (delayMs === null) throw await errorFromResponse(response);
    await response.body?.cancel();
    config.onRetry?.({ method, url, retry: retry + 1, delayMs, status: response.status });
    await sleep(delayMs, options.signal);
  }
}

/** An AbortSignal for one attempt: the caller's signal, or the timeout (until the answer's headers arrive). */
function withTimeout(outer: AbortSignal | undefined, timeoutMs: number) {
  const controller = new AbortController();
  let timedOut = false;
  const timer =
    timeoutMs > 0 && Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          timedOut = true;
          controller.abort(new Error(`timeout after ${timeoutMs} ms`));
        }, timeoutMs)
      : undefined;
  const forward = () => controller.abort(outer!.reason);
  if (outer?.aborted) forward();
  else outer?.addEventListener('abort', forward, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    clearTimer: () => clearTimeout(timer),
    detach: () => outer?.removeEventListener('abort', forward),
  };
}
