// The shared parts of the OpenAPI document: problem details, pages, error responses.
import { ERROR_CATALOGUE, ERROR_TYPE_BASE, type ErrorCode } from '../errors.ts';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../query/parse-list-query.ts';

export const ref = (kind: 'schemas' | 'responses' | 'parameters', name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

export const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details.',
  required: ['type', 'title', 'status', 'code', 'detail', 'request_id'],
  properties: {
    type: { type: 'string', format: 'uri', examples: [`${ERROR_TYPE_BASE}validation_failed`] },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', enum: Object.keys(ERROR_CATALOGUE) },
    detail: { type: 'string' },
    request_id: { type: 'string', examples: ['req_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB'] },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: {
          path: { type: 'string' },
          message: { type: 'string' },
          index: { type: 'integer', description: 'Item of a bulk request.' },
        },
      },
    },
  },
};

export const PAGE_SCHEMA = {
  type: 'object',
  required: ['has_more', 'next_cursor'],
  properties: {
    has_more: { type: 'boolean' },
    next_cursor: {
      type: ['string', 'null'],
      description: 'Pass as `cursor` to get the next page; null on the last page.',
    },
    total: { type: 'integer', description: 'Present with `count=true` or `offset`.' },
  },
};

/** Response component names by status, each pointing at the problem schema. */
export const ERROR_RESPONSES: Record<number, { name: string; codes: ErrorCode[] }> = {
  400: { name: 'BadRequest', codes: ['bad_request', 'invalid_signature'] },
  401: { name: 'Unauthenticated', codes: ['unauthenticated'] },
  402: { name: 'PaymentRequired', codes: ['payment_required'] },
  403: { name: 'Forbidden', codes: ['insufficient_scope', 'forbidden', 'feature_not_in_plan'] },
  404: { name: 'NotFound', codes: ['not_found'] },
  405: { name: 'MethodNotAllowed', codes: ['method_not_allowed'] },
  409: {
    name: 'Conflict',
    codes: [
      'conflict',
      'invalid_state_transition',
      'payments_not_configured',
      'llm_provider_missing',
      'plan_limits_exceeded',
    ],
  },
  413: { name: 'PayloadTooLarge', codes: ['payload_too_large'] },
  415: { name: 'UnsupportedMediaType', codes: ['unsupported_media_type'] },
  422: { name: 'ValidationFailed', codes: ['validation_failed', 'idempotency_key_reused'] },
  429: { name: 'RateLimited', codes: ['rate_limited', 'quota_exceeded'] },
  500: { name: 'InternalError', codes: ['internal_error'] },
  502: { name: 'BadGateway', codes: ['llm_provider_error'] },
  503: { name: 'ServiceUnavailable', codes: ['database_unavailable', 'service_unavailable'] },
  504: { name: 'GatewayTimeout', codes: ['llm_provider_timeout'] },
};

/** On every POST's success response. */
export const IDEMPOTENT_REPLAYED_HEADER = {
  'Idempotent-Replayed': {
    description: '`true` when this is the recorded response of an earlier request with the same Idempotency-Key.',
    schema: { type: 'string', enum: ['true'] },
  },
};

/** Sent by every route that counts against a rate limit (all authenticated routes). */
export const RATE_LIMIT_HEADERS = {
  'RateLimit-Policy': {
    schema: { type: 'string' },
    description:
      'The limit this route counts against (IETF draft structured field): ' +
      '`"read";q=6000;w=60` = 6000 requests per 60 s.',
  },
  RateLimit: {
    schema: { type: 'string' },
    description: 'What is left: `"read";r=5990;t=42` = 5990 requests, window resets in 42 s.',
  },
};

export function errorResponseComponents() {
  return Object.fromEntries(
    Object.entries(ERROR_RESPONSES).map(([status, { name, codes }]) => [
      name,
      {
        description: codes.map((code) => `\`${code}\`: ${ERROR_CATALOGUE[code].title}`).join('; '),
        headers: {
          'X-Request-Id': {
            schema: { type: 'string' },
            description: 'Identifies the request in logs and support requests.',
          },
          ...(status === '429' ? RATE_LIMIT_HEADERS : {}),
          ...(status === '429' || status === '503'
            ? { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait before retrying.' } }
            : {}),
        },
        content: { 'application/problem+json': { schema: ref('schemas', 'Problem') } },
      },
    ]),
  );
}

export const IDEMPOTENCY_KEY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes the POST safe to retry: the first response is kept for 24 hours and replayed ' +
    '(with `Idempotent-Replayed: true`) for the same key and body; ' +
    'another body with the same key is `422 idempotency_key_reused`.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
};

export const LIST_PARAMETERS = {
  Limit: {
    name: 'limit',
    in: 'query',
    description: `Page size (default ${DEFAULT_LIMIT}).`,
    schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
  },
  Cursor: {
    name: 'cursor',
    in: 'query',
    description: 'The `next_cursor` of the previous page.',
    schema: { type: 'string' },
  },
  Offset: {
    name: 'offset',
    in: 'query',
    description: 'Offset paging for simple clients; returns `total`. Not combinable with `cursor`.',
    schema: { type: 'integer', minimum: 0 },
  },
  Count: { name: 'count', in: 'query', description: 'Include `page.total`.', schema: { type: 'boolean' } },
  Fields: {
    name: 'fields',
    in: 'query',
    description: 'Comma-separated fields to return (`id` and `object` always come).',
    schema: { type: 'string' },
  },
};
