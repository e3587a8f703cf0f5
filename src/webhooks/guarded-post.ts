// A POST to a URL someone outside gave us (a webhook endpoint, a browser's push service), under
// the target policy: no private or reserved address unless allowed, whatever DNS answers at the
// time of the call. 10 s for connecting and answering together; redirects are not followed; the
// first 2 KiB of the answer are kept for the log. Any 2xx is a success, anything else a failure.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { addressAllowed, guardedLookup } from './target-policy.ts';
import { parseRetryAfter } from './retry-schedule.ts';

export const RESPONSE_BODY_LIMIT = 2048;
export const DELIVERY_TIMEOUT_MS = 10_000;

export interface PostOutcome {
  ok: boolean;
  httpStatus: number | null;
  durationMs: number;
  responseBody: string | null;
  error: string | null;
  /** From a 429 or 503's Retry-After. */
  retryAfterSeconds: number | null;
  /** The answer's Location header (a push service's id for the message). */
  location: string | null;
}

export interface SendOptions {
  allowPrivate: boolean;
  timeoutMs?: number;
  now?: () => number;
}

export function guardedPost(
  target: string,
  { headers, body }: { headers: Record<string, string | number>; body: Buffer },
  options: SendOptions,
): Promise<PostOutcome> {
  const now = options.now ?? Date.now;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: Omit<PostOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, durationMs: elapsed() });
    };
    const fail = (error: string, httpStatus: number | null = null) =>
      finish({ ok: false, httpStatus, responseBody: null, error, retryAfterSeconds: null, location: null });
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return fail('invalid URL');
    }
    // The URL was checked when saved, but the server's policy may have tightened since.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowPrivate))
      return fail(`refused: ${url.protocol} URLs are not allowed`);
    // Node dials an IP literal without a lookup, so the guard must see it here.
    const literal = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(literal) && !addressAllowed(literal, options.allowPrivate))
      return fail(`refused: ${literal} is a private or reserved address`);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, {
      method: 'POST',
      lookup: guardedLookup(options.allowPrivate) as never,
      headers: { ...headers, 'content-length': body.length },
    });
    timer = setTimeout(() => {
      request.destroy();
      fail(`no answer within ${(options.timeoutMs ?? DELIVERY_TIMEOUT_MS) / 1000} s`);
    }, options.timeoutMs ?? DELIVERY_TIMEOUT_MS);
    request.on('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'ETARGETREFUSED' ? `refused: ${error.message}` : `${error.code ?? 'error'}: ${error.message}`,
      ),
    );
    request.on('response', (response: IncomingMessage) => readAnswer(response, now(), finish));
    request.end(body);
  });
}

function readAnswer(
  response: IncomingMessage,
  now: number,
  finish: (outcome: Omit<PostOutcome, 'durationMs'>) => void,
): void {
  const status = response.statusCode ?? 0;
  const chunks: Buffer[] = [];
  let size = 0;
  const done = () => {
    // PostgreSQL text cannot hold NUL: a receiver's stray NUL must not make the attempt unrecordable.
    const text = Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT).toString('utf8').replaceAll('\u0000', '\uFFFD');
    const ok = status >= 200 && status < 300;
    finish({
      ok,
      httpStatus: status,
      responseBody: text || null,
      error: ok ? null : `answered ${status}`,
      retryAfterSeconds:
        status === 429 || status === 503 ? parseRetryAfter(response.headers['retry-after'], now) : null,
      location: typeof response.headers.location === 'string' ? response.headers.location : null,
    });
    response.destroy();
  };
  response.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= RESPONSE_BODY_LIMIT) done(); // the rest is not needed
  });
  response.on('end', done);
  response.on('error', done);
}
