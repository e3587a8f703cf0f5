// What can go wrong talking to Intuit, sorted by what the caller does about it: a token QuickBooks
// no longer takes (refresh, or connect again), throttling (wait Retry-After), an outage (retry
// later), a Fault about the request itself (the record's problem, reported per record), and an
// answer we cannot read. Messages quote Intuit's code and words, short, never a token.

export type QuickBooksFailure =
  /** The API refused the access token (401): refresh it and try once more. */
  | 'unauthorized'
  /** The grant is gone (refresh token revoked or expired, code reused): the user must connect again. */
  | 'invalid_grant'
  /** Intuit refused our client id/secret: the server's configuration is wrong. */
  | 'invalid_client'
  /** 429: wait `retryAfterMs`. */
  | 'throttled'
  /** A Fault about the request (ValidationFault 6240 duplicate name, 5010 stale SyncToken, ...). */
  | 'fault'
  /** No answer, a timeout, or a 5xx. */
  | 'unavailable'
  /** An answer that is not what Intuit documents (not JSON, too large, missing fields). */
  | 'malformed';

const MESSAGE_LIMIT = 300;

export class QuickBooksError extends Error {
  constructor(
    readonly kind: QuickBooksFailure,
    message: string,
    readonly details: { status?: number; code?: string; faultType?: string; retryAfterMs?: number } = {},
  ) {
    const clean = message.replace(/\s+/g, ' ').trim();
    super(clean.length > MESSAGE_LIMIT ? `${clean.slice(0, MESSAGE_LIMIT)}…` : clean);
    this.name = 'QuickBooksError';
  }

  /** Intuit's code for a stale SyncToken: someone changed the entity since we read it. */
  get staleObject(): boolean {
    return this.kind === 'fault' && this.details.code === '5010';
  }

  /** Intuit's code for a DisplayName another customer, vendor or employee already has. */
  get duplicateName(): boolean {
    return this.kind === 'fault' && this.details.code === '6240';
  }
}

interface FaultBody {
  Fault?: { type?: unknown; Error?: { Message?: unknown; Detail?: unknown; code?: unknown }[] };
  fault?: { type?: unknown; error?: { message?: unknown; detail?: unknown; code?: unknown }[] };
}

/** Intuit's Fault (`Fault.Error[]`, or the lower-case variant some gateways answer) as one line. */
export function describeFault(body: unknown): { type?: string; code?: string; text: string } | undefined {
  const fault = (body as FaultBody | null)?.Fault ?? undefined;
  const lower = (body as FaultBody | null)?.fault ?? undefined;
  const errors = fault?.Error ?? lower?.error?.map((e) => ({ Message: e.message, Detail: e.detail, code: e.code }));
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const type = String(fault?.type ?? lower?.type ?? 'Fault');
  const first = errors[0] ?? {};
  const text = errors
    .map((e) => [e.code && `${e.code}`, e.Message, e.Detail !== e.Message ? e.Detail : undefined].filter(Boolean))
    .map((parts) => parts.join(': '))
    .join('; ');
  return { type, code: first.code === undefined ? undefined : String(first.code), text };
}
