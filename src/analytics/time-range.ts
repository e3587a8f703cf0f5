// The `from`/`to` window shared by the analytics endpoints: RFC 3339 times, default the last
// 24 hours, at most the request log retention; optionally one API key's requests only, or
// some kinds of credential only (integrations without the portal's own session calls).
import { z } from 'zod';
import { CREDENTIAL_KINDS } from '../platform/operations/credential-kind.ts';
import { timestampSchema } from '../platform/resource/fields.ts';
import { badRequest } from '../platform/errors.ts';

export const timeRangeQuery = {
  from: timestampSchema()
    .optional()
    .describe('Start of the window (inclusive, RFC 3339). Default: 24 hours before `to`.'),
  to: timestampSchema().optional().describe('End of the window (exclusive, RFC 3339). Default: now.'),
};

const KIND = `(?:${CREDENTIAL_KINDS.join('|')})`;

/** The traffic filter of /v1/usage and /v1/errors: the window, and optionally one API key or kinds of credential. */
export const trafficQuery = {
  ...timeRangeQuery,
  api_key_id: z.string().min(1).max(64).optional().describe('Only requests made with this API key.'),
  credential: z
    .string()
    .regex(new RegExp(`^${KIND}(?:,${KIND})*$`), `a comma-separated list of ${CREDENTIAL_KINDS.join(', ')}`)
    .optional()
    .describe(
      "Only requests made with these kinds of credential, comma-separated (the request log's `credential`): " +
        "`api_key,oauth` is integration traffic, `session` the developer portal's own calls. Default: all.",
    )
    .meta({ examples: ['api_key,oauth'] }),
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
export function trafficWhere(
  accountId: string,
  query: { from?: string; to?: string; api_key_id?: string; credential?: string },
) {
  const { from, to } = resolveTimeRange(query);
  const parameters: unknown[] = [accountId, from, to];
  let where = 'WHERE account_id = $1 AND created_at >= $2 AND created_at < $3';
  if (query.api_key_id) where += ` AND api_key_id = $${parameters.push(query.api_key_id)}`;
  if (query.credential) where += ` AND credential = ANY($${parameters.push(query.credential.split(','))}::text[])`;
  return { from, to, where, parameters };
}
