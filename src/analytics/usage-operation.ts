// GET /v1/usage: requests, errors and latency percentiles of the account's API traffic in
// hour or day buckets, optionally per API key, kind of credential, route or status class, computed
// from the request log. The portal's usage dashboard draws from this (integrations by default:
// `credential=api_key,oauth`).
import { z } from 'zod';
import { tenantRead } from '../platform/operations/tenant-read.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ms, trafficQuery, trafficWhere } from './time-range.ts';
import { AiUsageSection, aiUsageSection, aiUsageStatements } from '../ai/ai-usage-report.ts';

const GROUP_EXPRESSIONS = {
  api_key: 'api_key_id',
  credential: 'credential',
  route: "method || ' ' || coalesce(route, path)",
  status_class: "(status / 100)::text || 'xx'",
} as const;

const UsageQuery = z.strictObject({
  ...trafficQuery,
  bucket: z.enum(['hour', 'day']).default('hour').describe('Bucket width.'),
  group_by: z
    .enum(['api_key', 'credential', 'route', 'status_class'])
    .optional()
    .describe('Split each bucket by API key, kind of credential, route (method and template) or status class.'),
});

const Stats = {
  requests: z.int(),
  client_errors: z.int().describe('Responses with a 4xx status.'),
  server_errors: z.int().describe('Responses with a 5xx status.'),
  rate_limited: z.int().describe('429 responses.'),
  error_rate: z.number().describe('(client_errors + server_errors) / requests.'),
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
  p99_ms: z.number().nullable(),
};

const UsageResponse = z.object({
  object: z.literal('usage'),
  from: z.string(),
  to: z.string(),
  bucket: z.enum(['hour', 'day']),
  group_by: z.string().nullable(),
  summary: z.object(Stats),
  buckets: z.array(z.object({ start: z.string(), group: z.string().nullable(), ...Stats })),
  ai: AiUsageSection,
});

/** Aggregates of request_logs rows, shared with the alert evaluator. */
export const STATS_SQL = `count(*)::int AS requests,
  count(*) FILTER (WHERE status BETWEEN 400 AND 499)::int AS client_errors,
  count(*) FILTER (WHERE status >= 500)::int AS server_errors,
  count(*) FILTER (WHERE status = 429)::int AS rate_limited,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_us) AS p50,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_us) AS p95,
  percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_us) AS p99`;

function stats(row: Record<string, any>) {
  const requests = row.requests;
  return {
    requests,
    client_errors: row.client_errors,
    server_errors: row.server_errors,
    rate_limited: row.rate_limited,
    error_rate: requests ? Math.round(((row.client_errors + row.server_errors) / requests) * 10_000) / 10_000 : 0,
    p50_ms: ms(row.p50),
    p95_ms: ms(row.p95),
    p99_ms: ms(row.p99),
  };
}

export const usageOperation = defineOperation({
  method: 'get',
  path: '/v1/usage',
  operationId: 'getUsage',
  tag: 'Analytics',
  scope: 'read:request-logs',
  bucket: 'expensive',
  summary: 'API usage over time',
  description:
    'Requests, errors and p50/p95/p99 latency in hour or day buckets, from the request log (kept 30 days); ' +
    'and `ai`: calls to LLM providers and their tokens, by provider and purpose.',
  query: UsageQuery,
  response: UsageResponse,
  async handle({ runtime, principal, query }) {
    const { from, to, where, parameters } = trafficWhere(principal.accountId, query);
    const group = query.group_by ? GROUP_EXPRESSIONS[query.group_by] : 'NULL::text';
    const [buckets, [summary], ...ai] = await tenantRead(runtime, principal.accountId, [
      {
        sql: `SELECT date_trunc('${query.bucket}', created_at) AS start, ${group} AS "group", ${STATS_SQL}
              FROM request_logs ${where} GROUP BY 1, 2 ORDER BY 1, 2`,
        parameters,
      },
      { sql: `SELECT ${STATS_SQL} FROM request_logs ${where}`, parameters },
      ...aiUsageStatements(principal.accountId, from, to),
    ]);
    return {
      status: 200,
      body: {
        data: {
          object: 'usage',
          from,
          to,
          bucket: query.bucket,
          group_by: query.group_by ?? null,
          summary: stats(summary),
          buckets: buckets.map((row) => ({ start: row.start, group: row.group, ...stats(row) })),
          ai: aiUsageSection(ai),
        },
      },
    };
  },
});
