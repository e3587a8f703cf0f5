// The `from`/`to` window shared by the analytics endpoints: RFC 3339 times, default the last
// 24 hours, at most the request log retention; optionally one API key's requests only.
import { z } from 'zod';
import { timestampSchema } from '../platform/resource/fields.ts';
import { badRequest } from '../platform/errors.ts';

export const timeRangeQuery = {
  from: timestampSchema()
    .optional()
    .describe('Start of the window (inclusive, RFC 3339). Default: 24 hours before `to`.'),
  to: timestampSchema().optional().describe('End of the window (exclusive, RFC 3339). Default: now.'),
};

/** The traffic filter of /v1/usage and /v1/errors: the window, and optionally one API key. */
export const trafficQuery = {
  ...timeRangeQuery,
  api_key_id: z.string().min(1).max(64).optional().describe('Only requests made with this API key.'),
};

const MAX_RANGE_DAYS = 92;

export function resolveTimeRange(query: { from?: string; to?: string }): { from: string; to: string } {
  const to = query.to ?? new Date().toISOString();
  const from = query.from ?? new Date(Date.parse(to) - 86_400_000).toISOString();
  if (from >= to) throw badRequest('from: must be before to', [{ path: 'from', message: 'must be before to' }]);
  if (Date.parse(to) - Date.parse(from) > MAX_RANGE_DAYS * 86_400_000) {
    throw badRequest(`from: the window can span at most ${MAX_RANGE_DAYS} days`, [
      { path: 'from', message: `at most ${MAX_RANGE_DAYS} days before to` },
    ]);
  }
  return { from, to };
}

export const ms = (microseconds: unknown) =>
  microseconds === null || microseconds === undefined ? null : Math.round(Number(microseconds) / 10) / 100;

/** The request_logs rows of `trafficQuery`: a WHERE clause over $1..$n and its parameters. */
export function trafficWhere(accountId: string, query: { from?: string; to?: string; api_key_id?: string }) {
  const { from, to } = resolveTimeRange(query);
  const parameters: unknown[] = [accountId, from, to];
  let where = 'WHERE account_id = $1 AND created_at >= $2 AND created_at < $3';
  if (query.api_key_id) where += ` AND api_key_id = $${parameters.push(query.api_key_id)}`;
  return { from, to, where, parameters };
}
