// One HTTP exchange with Intuit: a timeout, an answer read only up to a size limit (a huge or
// endless body is refused, not buffered), JSON parsed, and failures turned into QuickBooksError.
import { QuickBooksError, describeFault } from './qbo-errors.ts';
import { readCappedText } from '../read-capped.ts';

export interface QboRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Largest answer read, in bytes. */
  maxBytes: number;
  timeoutMs: number;
}

export interface QboAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const text = await readCappedText(response, maxBytes);
  if (text === null)
    throw new QuickBooksError('malformed', `QuickBooks answered more than the ${maxBytes} bytes we read`);
  return text;
}

/** Sends the request; answers any status with its parsed body (callers judge statuses). */
export async function exchange(request: QboRequest): Promise<QboAnswer> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    const why = timedOut ? `no answer within ${request.timeoutMs} ms` : ((error as Error).cause as Error)?.message;
    throw new QuickBooksError('unavailable', `QuickBooks could not be reached: ${why ?? (error as Error).message}`);
  }
  let text: string;
  try {
    text = await readBounded(response, request.maxBytes);
  } catch (error) {
    if (error instanceof QuickBooksError) throw error;
    throw new QuickBooksError('unavailable', `QuickBooks' answer was cut short: ${(error as Error).message}`);
  }
  let body: unknown;
  if (text.trim()) {
    try {
      body = JSON.parse(text);
    } catch {
      // A 5xx page from a proxy is an outage; a 2xx that is not JSON is a malformed answer.
      if (response.status < 500)
        throw new QuickBooksError('malformed', `QuickBooks answered ${response.status} with a body that is not JSON`, {
          status: response.status,
        });
    }
  }
  return { status: response.status, headers: response.headers, body };
}

/** Retry-After (seconds or an HTTP date) in ms; absent or unreadable: `fallbackMs`. */
export function retryAfterMs(headers: Headers, fallbackMs: number): number {
  const value = headers.get('retry-after');
  if (!value) return fallbackMs;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? fallbackMs : Math.max(date - Date.now(), 0);
}

/** A non-2xx API answer as our error. */
export function apiFailure(answer: QboAnswer): QuickBooksError {
  const fault = describeFault(answer.body);
  const said = fault ? `${fault.type} ${fault.text}` : `status ${answer.status}`;
  const details = { status: answer.status, code: fault?.code, faultType: fault?.type };
  if (answer.status === 401 || answer.status === 403)
    return new QuickBooksError('unauthorized', `QuickBooks refused the access token (${said})`, details);
  if (answer.status === 429)
    return new QuickBooksError('throttled', `QuickBooks is throttling requests (${said})`, {
      ...details,
      retryAfterMs: retryAfterMs(answer.headers, 60_000),
    });
  if (answer.status >= 500) return new QuickBooksError('unavailable', `QuickBooks failed (${said})`, details);
  return new QuickBooksError('fault', `QuickBooks refused the request: ${said}`, details);
}
