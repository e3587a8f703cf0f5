// An account's status, the one thing every part of Fieldline asks before it acts for an account:
// `active` serves; `suspended` (by an operator) and `closed` (being deleted) are refused with 403
// account_suspended at the gate, and their background work waits (platform/active-account.ts).
// The column is `accounts.status`; credentials carry it (Principal.accountStatus), so the gate
// needs no query.
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import { accountSuspended } from '../platform/operations/principal.ts';

export const ACCOUNT_STATUSES = ['active', 'suspended', 'closed'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** The account's status, or null when there is no such account. */
export async function accountStatusOf(db: Database, accountId: string): Promise<AccountStatus | null> {
  const [row] = await systemQuery<{ status: AccountStatus }>(db, {
    sql: 'SELECT status FROM accounts WHERE id = $1',
    parameters: [accountId],
  });
  return row?.status ?? null;
}

/** Throws 403 account_suspended unless the account is active (work about to be done for it). */
export async function requireActiveAccount(db: Database, accountId: string): Promise<void> {
  const status = await accountStatusOf(db, accountId);
  if (status === 'suspended' || status === 'closed') throw accountSuspended(status);
}
