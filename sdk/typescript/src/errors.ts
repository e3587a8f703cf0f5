// Typed errors: every non-2xx answer becomes a FieldlineError (a subclass chosen by status and
// code) carrying the RFC 9457 problem details and the request id; no answer at all is a
// FieldlineConnectionError.

/** One field error of a `422 validation_failed`. */
export interface FieldError {
  path: string;
  message: string;
  /** The item of a bulk request. */
  index?: number;
}

/** An RFC 9457 problem details document, as the API sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  request_id: string;
  errors?: FieldError[];
  [member: string]: unknown;
}

/** The API answered with an error. */
export class FieldlineError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Stable error code, e.g. `not_found`, `insufficient_scope`. */
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  /** `X-Request-Id` of the failed request: quote it to support. */
  readonly requestId: string | null;
  /** The whole problem document. */
  readonly problem: Problem;
  /** The response headers. */
  readonly headers: Headers;

  constructor(problem: Problem, headers: Headers) {
    super(
      `${problem.status} ${problem.code}: ${problem.detail || problem.title}${problem.request_id ? ` (request ${problem.request_id})` : ''}`,
    );
    this.name = new.target.name;
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.requestId = problem.request_id || headers.get('x-request-id');
    this.problem = problem;
    this.headers = headers;
  }
}

/** 400: the request is malformed (unknown filter, bad JSON). */
export class BadRequestError extends FieldlineError {}
/** 401: no credential, or not a valid one. */
export class AuthenticationError extends FieldlineError {}
/** 403: the credential may not do this (`insufficient_scope` names the missing scope). */
export class PermissionError extends FieldlineError {}
/** 404: no such object in this account. */
export class NotFoundError extends FieldlineError {}
/** 409: a conflict, e.g. `invalid_state_transition`. */
export class ConflictError extends FieldlineError {}
/** 422 `idempotency_key_reused`: the key was used for a different request. */
export class IdempotencyError extends FieldlineError {}
/** 422: the body failed validation; `fieldErrors` says where. */
export class ValidationError extends FieldlineError {
  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? [];
  }
}
/** 429: rate limited or out of quota; `retryAfter` is in seconds when the API said. */
export class RateLimitError extends FieldlineError {
  get retryAfter(): number | null {
    const ms = retryAfterMs(this.headers.get('retry-after'));
    return ms === null ? null : Math.ceil(ms / 1000);
  }
}
/** 5xx: the server failed; safe requests were retried before this was thrown. */
export class InternalServerError extends FieldlineError {}

/** No answer: network failure or timeout. */
export class FieldlineConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FieldlineConnectionError';
  }
}

/** `Retry-After` (seconds or HTTP-date) in milliseconds from now, or null. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

const BY_CODE: Record<string, typeof FieldlineError> = {
  idempotency_key_reused: IdempotencyError,
  validation_failed: ValidationError,
};
const BY_STATUS: Record<number, typeof FieldlineError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionError,
  404: NotFoundError,
  409: ConflictError,
  422: ValidationError,
  429: RateLimitError,
};

/** The error for a non-2xx response (reads its body). */
export async function errorFromResponse(response: Response): Promise<FieldlineError> {
  const text = await response.text().catch(() => '');
  let body: Partial<Problem> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as Partial<Problem>;
  } catch {
    // Not JSON (a proxy's error page): keep the status and the text.
  }
  const problem: Problem = {
    ...body,
    type: body.type ?? 'about:blank',
    title: body.title ?? (response.statusText || `HTTP ${response.status}`),
    status: typeof body.status === 'number' ? body.status : response.status,
    code: body.code ?? `http_${response.status}`,
    detail: body.detail ?? text.slice(0, 500),
    request_id: body.request_id ?? response.headers.get('x-request-id') ?? '',
  };
  const ErrorClass =
    BY_CODE[problem.code] ??
    BY_STATUS[response.status] ??
    (response.status >= 500 ? InternalServerError : FieldlineError);
  return new ErrorClass(problem, response.headers);
}
