// Calling a provider's REST API: the account's access token added (and refreshed once when the
// provider says it expired), answers read up to a size limit and checked against the schema the
// connector gives, and the provider's refusals turned into the few errors the framework acts on:
//   ProviderRateLimited: 429 (Retry-After honoured: the sync run pauses until then);
//   ProviderUnavailable: 5xx, a timeout, no answer (retried later with backoff);
//   NeedsReauth: the grant is gone (`invalid_grant`, a 401 after refreshing): the person connects again;
//   ProviderAnswerInvalid: malformed, oversized or not the documented shape (the integration shows `error`);
//   ProviderRefused: any other 4xx, with its status (a connector may act on one: Gmail's 404 on history).
// Tokens are never put in an error message or a log line.
import type { z } from 'zod';
import { readCappedText } from './read-capped.ts';

export class ProviderError extends Error {}
export class ProviderRateLimited extends ProviderError {
  constructor(readonly retryAfterMs: number) {
    super(`the provider asked us to slow down (retry in ${Math.ceil(retryAfterMs / 1000)} s)`);
  }
}
export class ProviderUnavailable extends ProviderError {}
export class NeedsReauth extends ProviderError {}
export class ProviderAnswerInvalid extends ProviderError {}
export class ProviderRefused extends ProviderError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The largest answer read (a Gmail raw message may be up to 35 MB as base64url; we do not import those whole). */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
const TIMEOUT_MS = 30_000;
/** Retry-After absent or unreadable: wait this long. */
const DEFAULT_RETRY_MS = 30_000;
/** Never pause a run longer than this for one 429. */
const MAX_RETRY_MS = 3_600_000;

export interface ProviderRequest {
  method?: 'GET' | 'POST' | 'DELETE' | 'PATCH' | 'PUT';
  query?: Record<string, string | number | undefined>;
  /** A JSON body. */
  json?: unknown;
  /** A form body (OAuth endpoints). */
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface ProviderApi {
  /** Calls `url` with the account's token; answers the JSON checked by `schema`. */
  json<T>(url: string, schema: z.ZodType<T>, request?: ProviderRequest): Promise<T>;
  /** The current access token (refreshed when close to expiry), for calls `json` cannot make. */
  accessToken(): Promise<string>;
}

/** Seconds or an HTTP date, as RFC 9110 allows; capped. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (!header) return DEFAULT_RETRY_MS;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_MS, Math.max(0, ms)) : DEFAULT_RETRY_MS;
}

/** The body as text, refusing one over `max` bytes without reading it all. */
async function readCapped(response: Response, max: number): Promise<string> {
  const text = await readCappedText(response, max);
  if (text === null) throw new ProviderAnswerInvalid(`the provider's answer is too large (over ${max} bytes)`);
  return text;
}

function urlWith(url: string, query: ProviderRequest['query']): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(query ?? {}))
    if (value !== undefined) target.searchParams.set(name, String(value));
  return target.toString();
}

/** The provider's error code in a JSON error body (`invalid_grant`, Google's `error.status`), if any. */
export function providerErrorCode(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
    const nested = body.error as { status?: unknown; message?: unknown } | undefined;
    if (nested && typeof nested.status === 'string') return nested.status;
  } catch {
    // not JSON: no code
  }
  return undefined;
}

/**
 * One HTTP call and its answer's JSON, checked by `schema`; `token` absent: no Authorization
 * (the OAuth endpoints, which take the client's credentials in the form).
 */
export async function callProvider<T>(
  url: string,
  schema: z.ZodType<T>,
  request: ProviderRequest = {},
  token?: string,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (request.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.json);
  } else if (request.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(request.form).toString();
  }
  let response: Response;
  try {
    response = await fetch(urlWith(url, request.query), {
      method: request.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new ProviderUnavailable(`the provider could not be reached: ${(error as Error).name}`);
  }
  if (response.status === 429) {
    await response.body?.cancel();
    throw new ProviderRateLimited(retryAfterMs(response.headers.get('retry-after')));
  }
  const text = await readCapped(response, MAX_ANSWER_BYTES);
  if (response.status >= 500) throw new ProviderUnavailable(`the provider failed (HTTP ${response.status})`);
  if (!response.ok) {
    const code = providerErrorCode(text);
    if (code === 'invalid_grant') throw new NeedsReauth('the provider no longer accepts the grant (invalid_grant)');
    throw new ProviderRefused(
      response.status,
      `the provider refused the call (HTTP ${response.status}${code ? `, ${code}` : ''})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new ProviderAnswerInvalid(`the provider answered HTTP ${response.status} with a body that is not JSON`);
  }
  const checked = schema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new ProviderAnswerInvalid(
      `the provider's answer is not the documented shape (${issue?.path.join('.') || 'body'}: ${issue?.message})`,
    );
  }
  return checked.data;
}

/**
 * The API of one connected account: `token()` answers a valid access token, `refresh()` a new
 * one (when the provider answers 401 to a token we believed valid: revoked early, clock skew).
 */
export function providerApi(token: () => Promise<string>, refresh: () => Promise<string>): ProviderApi {
  return {
    accessToken: token,
    async json(url, schema, request) {
      try {
        return await callProvider(url, schema, request, await token());
      } catch (error) {
        if (!(error instanceof ProviderRefused) || error.status !== 401) throw error;
      }
      try {
        return await callProvider(url, schema, request, await refresh());
      } catch (error) {
        if (error instanceof ProviderRefused && error.status === 401)
          throw new NeedsReauth('the provider refuses our fresh access token (HTTP 401)');
        throw error;
      }
    },
  };
}
