// GET /v1/errors: the account's failed requests grouped by problem code and route, with how
// often, when first and last, and one request id to open in the request log.
import { z } from 'zod';
import { tenantRead } from '../platform/operations/tenant-read.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { trafficQuery, trafficWhere } from './time-range.ts';

const ErrorsQuery = z.strictObject({
  ...trafficQuery,
  status_class: z.enum(['4xx', '5xx']).optional().describe('Only client (4xx) or server (5xx) errors.'),
});

const ErrorGroup = z.object({
  code: z.string().nullable().describe('The problem `code`.'),
  route: z.string().describe('Method and route template.'),
  status: z.int(),
  count: z.int(),
  first_seen: z.string(),
  last_seen: z.string(),
  sample_request_id: z.string().describe('The latest such request: open it at `/v1/request-logs/{id}`.'),
});

export const errorsOperation = defineOperation({
  method: 'get',
  path: '/v1/errors',
  operationId: 'listErrors',
  tag: 'Analytics',
  scope: 'read:request-logs',
  bucket: 'expensive',
  summary: 'Failed requests grouped by code and route',
  description: 'The 100 most frequent groups in the window, most frequent first.',
  query: ErrorsQuery,
  response: z.object({
    object: z.literal('error_summary'),
    from: z.string(),
    to: z.string(),
    groups: z.array(ErrorGroup),
  }),
  async handle({ runtime, principal, query }) {
    const { from, to, where, parameters } = trafficWhere(principal.accountId, query);
    const statusFilter =
      query.status_class === '5xx'
        ? 'status >= 500'
        : query.status_class === '4xx'
          ? 'status BETWEEN 400 AND 499'
          : 'status >= 400';
    const [groups] = await tenantRead(runtime, principal.accountId, [
      {
        sql: `SELECT error_code AS code, method || ' ' || coalesce(route, path) AS route, status,
                count(*)::int AS count,
                min(created_at) AS first_seen, max(created_at) AS last_seen,
                -- Request ids are monotonic ULIDs: two in one millisecond still say which came last.
                (array_agg(id ORDER BY created_at DESC, id DESC))[1] AS sample_request_id
              FROM request_logs
              ${where} AND ${statusFilter}
              GROUP BY 1, 2, 3 ORDER BY count DESC, last_seen DESC LIMIT 100`,
        parameters,
      },
    ]);
    return { status: 200, body: { data: { object: 'error_summary', from, to, groups } } };
  },
});
