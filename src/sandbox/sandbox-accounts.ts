// An account's sandbox: the account test-mode credentials act in (README "Test mode"). It is an
// ordinary `accounts` row with `sandbox_of` naming the live account, so the tenant transaction
// and RLS keep its data apart from the live account's exactly as they keep two tenants apart.
// It is made on first use of a test key, once (the unique sandbox_of settles a race).
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import { newId } from '../platform/ids.ts';

/** The id of live account `liveAccountId`'s sandbox, made now if it has none; null for a sandbox or no account. */
export async function sandboxAccountOf(db: Database, liveAccountId: string): Promise<string | null> {
  const now = new Date().toISOString();
  // The plan, allowed origins and status (suspended: src/platform-admin) start as the live account's;
  // a sandbox never gets a sandbox.
  const [row] = await systemQuery(db, {
    sql: `WITH made AS (
            INSERT INTO accounts (id, name, plan, cors_allowed_origins, status, sandbox_of, created_at, updated_at)
            SELECT $1, left(name || ' (test mode)', 200), plan, cors_allowed_origins, status, id, $3, $3
              FROM accounts WHERE id = $2 AND sandbox_of IS NULL
            ON CONFLICT (sandbox_of) DO NOTHING RETURNING id)
          SELECT id FROM made UNION ALL SELECT id FROM accounts WHERE sandbox_of = $2`,
    parameters: [newId('acct'), liveAccountId, now],
  });
  if (row) return row.id as string;
  // Another node made it in the same instant: its insert committed after this statement's snapshot.
  const [made] = await systemQuery(db, {
    sql: 'SELECT id FROM accounts WHERE sandbox_of = $1',
    parameters: [liveAccountId],
  });
  return (made?.id as string | undefined) ?? null;
}

/** Whether `accountId` is a sandbox (its work is test mode: nothing reaches a real person or provider). */
export const isSandboxSql = (accountIdSql: string) =>
  `EXISTS (SELECT 1 FROM accounts WHERE id = ${accountIdSql} AND sandbox_of IS NOT NULL)`;
