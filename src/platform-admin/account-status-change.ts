// Changing an account's status, with everything that must follow on every node: the row and the
// operator's audit entry commit together with a NOTIFY (`account:ID`, which every node's key,
// session, OAuth and customer caches hear); then, before the operator is answered, this node
// forgets at once and, with Redis, the account's credential version is bumped so every other node
// re-checks on the very next request (credential-versions.ts). Resuming wakes the webhook workers.
import { systemTransaction } from '../db/system-query.ts';
import type { SqlStatement } from '../db/inline-parameters.ts';
import { accountChangeNoticeSql } from '../auth/api-keys.ts';
import { apiKeyVerifier, credentialVersions, oauthTokenVerifier, sessionVerifier } from '../auth/auth-services.ts';
import { customerSessions } from '../customer-portal/customer-sessions.ts';
import { WEBHOOK_CHANNEL } from '../webhooks/webhook-schema.ts';
import type { Runtime } from '../platform/contract.ts';
import type { AccountStatus } from './account-status.ts';

/**
 * What changes an account's status, and the statement that does it (with its NOTIFY), given its id as $1.
 * The account's sandbox (test mode, src/sandbox) follows it: a suspended account's test data serves no one either.
 */
export function statusUpdate(accountId: string, status: AccountStatus): SqlStatement[] {
  return [
    {
      sql: `WITH changed AS (
              UPDATE accounts SET status = $2, status_changed_at = now(), updated_at = now()
               WHERE (id = $1 OR sandbox_of = $1) AND status <> $2 RETURNING id)
            SELECT ${accountChangeNoticeSql('$1')} AS noticed FROM changed`,
      parameters: [accountId, status],
    },
    // The webhook workers look for deliveries the account's suspension held back.
    ...(status === 'active'
      ? [
          {
            sql: 'SELECT pg_notify($1, id) FROM accounts WHERE id = $2 OR sandbox_of = $2',
            parameters: [WEBHOOK_CHANNEL, accountId],
          },
        ]
      : []),
  ];
}

/** Runs `statements` (the change and its audit entry) in one transaction, then makes every node see it. */
export async function commitAccountChange(
  runtime: Runtime,
  accountId: string,
  statements: SqlStatement[],
): Promise<void> {
  await systemTransaction(runtime.db, statements);
  await announceAccountChange(runtime, accountId);
}

/** This node forgets the account's cached credentials; every node re-checks them on its next request. */
export async function announceAccountChange(runtime: Runtime, accountId: string): Promise<void> {
  runtime.find(apiKeyVerifier)?.forgetAccount(accountId);
  runtime.find(sessionVerifier)?.forget('account', accountId);
  runtime.find(oauthTokenVerifier)?.forget('account', accountId);
  runtime.find(customerSessions)?.forget('account', accountId);
  await runtime.find(credentialVersions)?.bump([`account:${accountId}`]);
}
