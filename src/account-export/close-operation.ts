// POST /v1/account/close: an owner ends the account. Its credentials stop at once on every node
// (the account's status is `closed`, which the gate refuses like a suspension, announced as any
// status change is: src/platform-admin/account-status-change.ts), and its data is deleted
// FIELDLINE_ACCOUNT_RETENTION_DAYS later by the account deletion job, which keeps only a
// tombstone. Until then an operator may reopen it (resume). The owner confirms with the
// account's name, as typed, so a stray call cannot close it.
import { z } from 'zod';
import { auditStatement } from '../audit/record-audit.ts';
import { systemQuery } from '../db/system-query.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { commitAccountChange, statusUpdate } from '../platform-admin/account-status-change.ts';
import { requireOwner } from './require-owner.ts';
import { retentionDaysOf } from './account-deletion.ts';

const ClosedAccount = z.object({
  id: z.string(),
  object: z.literal('account'),
  status: z.literal('closed'),
  closed_at: z.string(),
  deletes_after: z.string().describe('When its data is deleted, unless an operator reopens it before.'),
});

export const closeOperation = defineOperation({
  method: 'post',
  path: '/v1/account/close',
  operationId: 'closeAccount',
  tag: 'Account',
  scope: 'write:account',
  bucket: 'write',
  summary: 'Close your account',
  description:
    'Owners only. Every credential of the account stops at once (403 `account_suspended`), and all its data ' +
    '(records, files, logs) is deleted after the retention period (FIELDLINE_ACCOUNT_RETENTION_DAYS, 30 days by ' +
    'default), leaving only a record that the account existed and when it was closed and deleted. Export the data ' +
    'first (`POST /v1/account/export`). Until the deletion, the service operator can reopen the account. ' +
    '`confirm_name` must be the account’s name exactly.',
  body: z.strictObject({
    confirm_name: z.string().min(1).max(200).describe('The account’s name, exactly: confirms the intent.'),
  }),
  response: ClosedAccount,
  async handle({ runtime, principal, body }) {
    requireOwner(principal);
    const [account] = await systemQuery<{ name: string; status: string }>(runtime.db, {
      sql: 'SELECT name, status FROM accounts WHERE id = $1',
      parameters: [principal.accountId],
    });
    if (account.status !== 'active') throw new ApiError('conflict', `The account is ${account.status}`);
    if (account.name !== body.confirm_name)
      throw validationFailed([{ path: 'confirm_name', message: 'Not the account’s name: nothing was closed' }]);
    const closedAt = new Date();
    await commitAccountChange(runtime, principal.accountId, [
      ...statusUpdate(principal.accountId, 'closed'),
      {
        // A tombstone from an earlier closing (reopened since) starts again.
        sql: `INSERT INTO closed_accounts (account_id, closed_at, closed_by) VALUES ($1, $2, $3)
              ON CONFLICT (account_id) DO UPDATE SET closed_at = EXCLUDED.closed_at,
                closed_by = EXCLUDED.closed_by, deleted_at = NULL`,
        parameters: [principal.accountId, closedAt.toISOString(), principal.userId ?? null],
      },
      auditStatement(principal.accountId, {
        action: 'account.closed',
        actor: principal,
        resourceType: 'account',
        resourceId: principal.accountId,
      }),
    ]);
    const deletesAfter = new Date(closedAt.getTime() + retentionDaysOf(runtime) * 86_400_000);
    return {
      status: 200,
      body: {
        data: {
          id: principal.accountId,
          object: 'account' as const,
          status: 'closed' as const,
          closed_at: closedAt.toISOString(),
          deletes_after: deletesAfter.toISOString(),
        },
      },
    };
  },
});
