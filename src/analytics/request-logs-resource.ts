// The request log as a read-only resource: GET /v1/request-logs (filter by status, route, key,
// kind of credential, time; cursor paged like any list) and /v1/request-logs/{request_id}. Rows
// are written in batches by RequestLogWriter, never through the API; the table is partitioned by
// day and carries no per-filter index (see resource-ddl.ts): filters scan a window of one account's rows.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { CREDENTIAL_KINDS } from '../platform/operations/credential-kind.ts';

/** The shape of request ids we mint or accept from callers (see response-basics.ts). */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

export const requestLogs = defineResource({
  name: 'request_log',
  collection: 'request-logs',
  idPrefix: 'req',
  idPattern: REQUEST_ID_PATTERN,
  partitionByDay: true,
  description:
    'One API request of the account: who made it, what it hit, how it ended and how long it took. ' +
    'The id is the request id (`X-Request-Id`). Kept for 30 days by default.',
  operations: ['list', 'get'],
  limitedBecause: 'The request log is written by the server only and kept for its retention period, never edited.',
  emitsEvents: false,
  // Entries hold request and response bodies: who read them is in the audit trail.
  auditReads: true,
  fields: {
    method: field.text().readOnly().example('GET'),
    path: field
      .text()
      .readOnly()
      .describe('The path requested, without the query string.')
      .example('/v1/jobs/job_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB'),
    route: field
      .text()
      .readOnly()
      .filterable(['eq', 'in'])
      .describe('The route template the request matched, e.g. `/v1/jobs/{id}`.')
      .example('/v1/jobs/{id}'),
    status: field.integer().readOnly().filterable(['eq', 'ne', 'gte', 'lt', 'in']).example(200),
    duration_us: field
      .integer({ min: 0 })
      .readOnly()
      .describe('Time from receiving the request to sending the response headers, in microseconds.'),
    api_key_id: field
      .text()
      .readOnly()
      .filterable(['eq', 'in'])
      .describe('The API key that authenticated the request.'),
    credential: field
      .enum(CREDENTIAL_KINDS)
      .readOnly()
      .filterable(['eq', 'ne', 'in'])
      .describe(
        'Which kind of credential made the request: `api_key`, `oauth` (an OAuth access token: a connected ' +
          "app), `session` (a person's session, cookie or bearer: the developer portal's own calls), `customer` " +
          "(a customer portal session) or `none` (no credential: a provider's verified webhook). Integrations " +
          'are `credential[in]=api_key,oauth`. Null on requests logged before the field existed, except those ' +
          'made with an API key (`api_key`).',
      )
      .example('api_key'),
    ip: field.text().readOnly(),
    user_agent: field.text().readOnly(),
    bytes_in: field.integer({ min: 0 }).readOnly(),
    bytes_out: field
      .integer({ min: 0 })
      .readOnly()
      .describe('Response body size when known (streamed exports report null).'),
    error_code: field
      .text()
      .readOnly()
      .filterable(['eq', 'in', 'is_null'])
      .describe('The problem `code` of a failed request.'),
    request_headers: field
      .json(z.record(z.string(), z.string()))
      .readOnly()
      .describe('For failed requests only: the request headers, credentials redacted.'),
    request_body: field
      .json(z.unknown())
      .readOnly()
      .describe(
        'For failed requests only: the JSON body received, secret-looking members redacted. Over 16 KiB of JSON ' +
          'it is cut: a string holding the start of its JSON text, and `body_truncated` is true. A NUL or an ' +
          'unpaired surrogate in a string is kept escaped, as the text `\\u0000`.',
      ),
    response_body: field
      .json(z.unknown())
      .readOnly()
      .describe('For failed requests only: the problem details returned, cut and escaped like `request_body`.'),
    request_body_bytes: field
      .integer({ min: 0 })
      .readOnly()
      .describe('The size of the whole `request_body` as JSON, in bytes, before any cut.'),
    response_body_bytes: field
      .integer({ min: 0 })
      .readOnly()
      .describe('The size of the whole `response_body` as JSON, in bytes, before any cut.'),
    body_truncated: field
      .boolean()
      .readOnly()
      .describe('True when `request_body` or `response_body` was cut to its first 16 KiB.'),
  },
});
