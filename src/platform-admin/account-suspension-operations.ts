// POST /v1/platform/accounts/{id}/suspend and /resume. Suspending refuses every credential of the
// account (API keys, members' sessions, OAuth tokens, customers' portal sessions) with 403
// account_suspended from the next request on, on every node, and holds its webhook deliveries;
// its data is untouched. Resuming lets everything through again and the held deliveries go out.
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError } from '../platform/errors.ts';
import { PlatformAccount, accountOrThrow } from './account-admin-shapes.ts';
import type { AccountStatus } from './account-status.ts';
import { commitAccountChange, statusUpdate } from './account-status-change.ts';
import { actorOf } from './account-admin-operations.ts';
import { operatorAuditStatements } from './platform-audit.ts';
import { PLATFORM_TAG } from './platform-tag.ts';

const Reason = z.strictObject({ reason: z.string().trim().max(500).optional() });

function statusAction(
  action: 'suspend' | 'resume',
  from: readonly AccountStatus[],
  to: AccountStatus,
  summary: string,
) {
  return defineOperation({
    method: 'post',
    path: `/v1/platform/accounts/{id}/${action}`,
    operationId: `${action}PlatformAccount`,
    tag: PLATFORM_TAG,
    scope: 'platform:accounts',
    authentication: 'operator',
    bucket: 'write',
    sdk: { excluded: 'platform administration is not part of the tenant SDKs' },
    params: { id: { pattern: '^acct_[0-9A-HJKMNP-TV-Z]{26}$' } },
    summary,
    description:
      action === 'suspend'
        ? 'Every credential of the account gets 403 `account_suspended` from its next request, on every node; ' +
          'webhook deliveries wait, queued. Nothing of its data changes.'
        : 'The account serves again; webhook deliveries held while it was suspended are sent. A closed ' +
          'account is reopened too, until its data is deleted.',
    body: Reason,
    response: PlatformAccount,
    async handle(call) {
      const { runtime, params, body } = call;
      const before = await accountOrThrow(runtime.db, params.id);
      if (!from.includes(before.status))
        throw new ApiError(
          'invalid_state_transition',
          `Only an account that is ${from.join(' or ')} can be ${to}; it is ${before.status}`,
          {
            current_status: before.status,
          },
        );
      await commitAccountChange(runtime, before.id, [
        ...statusUpdate(before.id, to),
        ...operatorAuditStatements({
          ...actorOf(call),
          action: `account.${to}`,
          accountId: before.id,
          summary: {
            before: { status: before.status },
            after: { status: to },
            ...(body?.reason ? { reason: body.reason } : {}),
          },
        }),
      ]);
      return { status: 200, body: { data: await accountOrThrow(runtime.db, before.id) } };
    },
  });
}

export const accountSuspensionOperations = [
  statusAction('suspend', ['active'], 'suspended', 'Suspend an account'),
  // A closed account is reopened the same way, until its data is deleted (src/account-export/).
  statusAction('resume', ['suspended', 'closed'], 'active', 'Resume a suspended or closed account'),
];
