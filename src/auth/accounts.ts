// Accounts (tenants) and their first owner key, created together or not at all.
import type { Database } from '../db/database.ts';
import { systemTransaction } from '../db/system-query.ts';
import { sqlBuilder, compile } from '../db/sql-builder.ts';
import { newId } from '../platform/ids.ts';
import { prepareApiKey, type KeyMode } from './api-keys.ts';
import { DEFAULT_PLAN, type PlanName } from '../limits/plans.ts';

export const OWNER_SCOPES = ['read:*', 'write:*'];

export interface CreatedAccount {
  account: { id: string; object: 'account'; name: string; created_at: string; updated_at: string };
  api_key: string;
}

/** A new account's row and the statement that inserts it. */
export function prepareAccount(input: { name: string; plan?: PlanName }) {
  const now = new Date().toISOString();
  const account = {
    id: newId('acct'),
    object: 'account' as const,
    name: input.name,
    plan: input.plan ?? DEFAULT_PLAN,
    created_at: now,
    updated_at: now,
  };
  const { object: _object, ...columns } = account;
  return { account, statement: compile(sqlBuilder.insertInto('accounts').values(columns)) };
}

export async function createAccount(
  db: Database,
  input: { name: string; mode?: KeyMode; plan?: PlanName },
): Promise<CreatedAccount> {
  const { account, statement } = prepareAccount(input);
  const key = prepareApiKey({
    accountId: account.id,
    name: 'Owner key',
    mode: input.mode ?? 'live',
    scopes: OWNER_SCOPES,
  });
  await systemTransaction(db, [statement, ...key.statements]);
  return { account, api_key: key.secret };
}
