// What operators see and send of an account: its row (status, plan, limit overrides), and the
// bounds of the overrides an operator may set (rates per bucket, monthly quotas).
import { z } from 'zod';
import { isIdOf } from '../platform/ids.ts';
import { notFound } from '../platform/errors.ts';
import { systemQuery } from '../db/system-query.ts';
import type { Database } from '../db/database.ts';
import { ACCOUNT_STATUSES } from './account-status.ts';

/** Timestamps as RFC 3339 text to the microsecond, exact enough to page by. */
export const isoSql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const Rate = z.strictObject({
  limit: z.number().int().min(1).max(1_000_000),
  window_seconds: z.number().int().min(1).max(3_600),
});

/** An operator's changes to the plan for one account; absent members keep the plan's value. */
export const AccountLimits = z.strictObject({
  rates: z.strictObject({ read: Rate.optional(), write: Rate.optional(), expensive: Rate.optional() }).optional(),
  monthly_requests: z.number().int().min(0).max(10_000_000_000).optional(),
  monthly_webhook_deliveries: z.number().int().min(0).max(1_000_000_000).optional(),
  monthly_automation_runs: z.number().int().min(0).max(100_000_000).optional(),
  monthly_ai_tokens: z.number().int().min(0).max(10_000_000_000).optional(),
});
export type AccountLimits = z.infer<typeof AccountLimits>;

export const PlatformAccount = z.object({
  id: z.string(),
  object: z.literal('platform_account'),
  name: z.string(),
  plan: z.string(),
  status: z.enum(ACCOUNT_STATUSES),
  status_changed_at: z.string().nullable(),
  limits: AccountLimits.nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const AccountUpdate = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  plan: z.string().trim().min(1).max(100).optional(),
  status: z.enum(ACCOUNT_STATUSES).optional(),
  limits: AccountLimits.nullable().optional(),
});

export const NewAccount = z.strictObject({
  name: z.string().trim().min(1).max(200),
  plan: z.string().trim().min(1).max(100).optional(),
  mode: z.enum(['test', 'live']).default('live'),
});

export const ACCOUNT_COLUMNS = `id, 'platform_account' AS object, name, plan, status,
  ${isoSql('status_changed_at')} AS status_changed_at, limits, ${isoSql('created_at')} AS created_at,
  ${isoSql('updated_at')} AS updated_at`;

export type AccountRow = z.infer<typeof PlatformAccount>;

/** The account, or 404 (a malformed id names nothing either). */
export async function accountOrThrow(db: Database, id: string): Promise<AccountRow> {
  const [row] = isIdOf('acct', id)
    ? await systemQuery<AccountRow>(db, {
        sql: `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = $1`,
        parameters: [id],
      })
    : [];
  if (!row) throw notFound('account', id);
  return row;
}
