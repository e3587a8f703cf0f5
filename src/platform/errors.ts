// The error catalogue of the public API (RFC 9457 problem details). Every error a client can
// see is an ApiError with a stable code; anything else becomes a bare `internal_error`.

export const ERROR_CATALOGUE = {
  bad_request: { status: 400, title: 'Bad request' },
  invalid_signature: { status: 400, title: 'Invalid signature' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  payment_required: { status: 402, title: 'Payment required' },
  forbidden: { status: 403, title: 'Forbidden' },
  insufficient_scope: { status: 403, title: 'Insufficient scope' },
  feature_not_in_plan: { status: 403, title: 'Feature not in plan' },
  account_suspended: { status: 403, title: 'Account suspended' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  invalid_state_transition: { status: 409, title: 'Invalid state transition' },
  plan_limits_exceeded: { status: 409, title: 'Plan limits exceeded' },
  payments_not_configured: { status: 409, title: 'Online payments not configured' },
  llm_provider_missing: { status: 409, title: 'No LLM provider configured' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  request_header_fields_too_large: { status: 431, title: 'Request header fields too large' },
  idempotency_key_reused: { status: 422, title: 'Idempotency key reused' },
  validation_failed: { status: 422, title: 'Validation failed' },
  rate_limited: { status: 429, title: 'Rate limited' },
  quota_exceeded: { status: 429, title: 'Monthly quota exceeded' },
  internal_error: { status: 500, title: 'Internal error' },
  llm_provider_error: { status: 502, title: 'LLM provider error' },
  database_unavailable: { status: 503, title: 'Database unavailable' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
  llm_provider_timeout: { status: 504, title: 'LLM provider timed out' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface FieldError {
  path: string;
  message: string;
  /** Position in a bulk request, when the error belongs to one item. */
  index?: number;
}

export const ERROR_TYPE_BASE = 'https://fieldline.dev/errors/';

export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string>; [key: string]: unknown } = {},
  ) {
    super(detail);
    this.status = ERROR_CATALOGUE[code].status;
  }

  toProblem(requestId: string) {
    const { headers: _headers, ...members } = this.extra;
    return {
      type: ERROR_TYPE_BASE + this.code,
      title: ERROR_CATALOGUE[this.code].title,
      status: this.status,
      code: this.code,
      detail: this.detail,
      request_id: requestId,
      ...members,
    };
  }
}

export const notFound = (objectName: string, id: string) => new ApiError('not_found', `No such ${objectName}: '${id}'`);

export function validationFailed(errors: FieldError[]): ApiError {
  const detail = errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ');
  return new ApiError('validation_failed', detail, { errors });
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new ApiError('bad_request', detail, errors ? { errors } : {});
