// /v1/platform/accounts: operators list, create, read and change accounts (name, plan, status,
// limit overrides). Every change is written with its audit entry in one transaction; a status
// change reaches every node's credential caches before the operator is answered.
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { systemQuery } from '../db/system-query.ts';
import { createAccount } from '../auth/accounts.ts';
import type { PlanName } from '../limits/plans.ts';
import { changePlan, planRowNamed } from '../billing/change-plan.ts';
import type { OperationCall } from '../platform/api/operation.ts';
import {
  ACCOUNT_COLUMNS,
  AccountUpdate,
  NewAccount,
  PlatformAccount,
  accountOrThrow,
  type AccountRow,
} from './account-admin-shapes.ts';
import { ACCOUNT_STATUSES } from './account-status.ts';
import { commitAccountChange, statusUpdate } from './account-status-change.ts';
import { afterCursorSql, pageOf, pageQuery, pageStart } from './platform-page.ts';
import { operatorAuditStatements } from './platform-audit.ts';
import { PLATFORM_TAG } from './platform-tag.ts';

const NOT_IN_SDKS = { excluded: 'platform administration is not part of the tenant SDKs' } as const;
const ACCOUNT_ID = { id: { pattern: '^acct_[0-9A-HJKMNP-TV-Z]{26}$' } };

/** Who acted, from where: the part of every audit entry a call gives. */
export const actorOf = (call: Pick<OperationCall, 'operator' | 'clientIp'>) => ({
  operator: call.operator!,
  ip: call.clientIp,
});

const listAccounts = defineOperation({
  method: 'get',
  path: '/v1/platform/accounts',
  operationId: 'listPlatformAccounts',
  tag: PLATFORM_TAG,
  scope: 'platform:accounts',
  authentication: 'operator',
  bucket: 'read',
  sdk: NOT_IN_SDKS,
  summary: 'List accounts',
  description: 'Every account, newest first, optionally of one status or plan. Cursor pagination.',
  query: z.strictObject({
    ...pageQuery,
    status: z.enum(ACCOUNT_STATUSES).optional(),
    plan: z.string().max(100).optional(),
  }),
  response: z.array(PlatformAccount),
  async handle({ runtime, query }) {
    const [at, id] = pageStart(query.cursor);
    const rows = await systemQuery<AccountRow>(runtime.db, {
      sql: `SELECT ${ACCOUNT_COLUMNS} FROM accounts
             WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR plan = $2)
               AND ${afterCursorSql('$3', '$4')}
             ORDER BY created_at DESC, id DESC LIMIT $5`,
      parameters: [query.status ?? null, query.plan ?? null, at, id, query.limit + 1],
    });
    return { status: 200, body: pageOf(rows, query.limit) };
  },
});

const createPlatformAccount = defineOperation({
  method: 'post',
  path: '/v1/platform/accounts',
  operationId: 'createPlatformAccount',
  tag: PLATFORM_TAG,
  scope: 'platform:accounts',
  authentication: 'operator',
  bucket: 'write',
  sdk: NOT_IN_SDKS,
  summary: 'Create an account',
  description:
    'A new account and its owner API key (all scopes), shown once, as `fieldline accounts create` makes them.',
  body: NewAccount,
  response: z.object({ account: PlatformAccount, api_key: z.string() }),
  successStatus: 201,
  async handle(call) {
    const { runtime, body } = call;
    if (body.plan && !(await planRowNamed(runtime.db, body.plan)))
      throw validationFailed([{ path: 'plan', message: `No such plan: '${body.plan}'` }]);
    const created = await createAccount(runtime.db, { name: body.name, mode: body.mode, plan: body.plan as PlanName });
    const account = await accountOrThrow(runtime.db, created.account.id);
    await commitAccountChange(runtime, account.id, [
      ...operatorAuditStatements({
        ...actorOf(call),
        action: 'account.created',
        accountId: account.id,
        summary: { after: { name: account.name, plan: account.plan } },
      }),
    ]);
    return {
      status: 201,
      location: `/v1/platform/accounts/${account.id}`,
      body: { data: { account, api_key: created.api_key } },
    };
  },
});

const getPlatformAccount = defineOperation({
  method: 'get',
  path: '/v1/platform/accounts/{id}',
  operationId: 'getPlatformAccount',
  tag: PLATFORM_TAG,
  scope: 'platform:accounts',
  authentication: 'operator',
  bucket: 'read',
  sdk: NOT_IN_SDKS,
  params: ACCOUNT_ID,
  summary: 'Get an account',
  response: PlatformAccount,
  async handle({ runtime, params }) {
    return { status: 200, body: { data: await accountOrThrow(runtime.db, params.id) } };
  },
});

/** The members of `after` that differ from `before`, and what they were. */
function changes(before: AccountRow, update: z.infer<typeof AccountUpdate>) {
  const was: Record<string, unknown> = {};
  const now: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(update)) {
    const old = before[field as keyof AccountRow];
    if (value !== undefined && JSON.stringify(old) !== JSON.stringify(value)) {
      was[field] = old;
      now[field] = value;
    }
  }
  return { before: was, after: now };
}

const updatePlatformAccount = defineOperation({
  method: 'patch',
  path: '/v1/platform/accounts/{id}',
  operationId: 'updatePlatformAccount',
  tag: PLATFORM_TAG,
  scope: 'platform:accounts',
  authentication: 'operator',
  bucket: 'write',
  sdk: NOT_IN_SDKS,
  params: ACCOUNT_ID,
  summary: 'Update an account',
  description:
    'Name, plan, status and limit overrides (`limits`: rates per bucket and monthly quotas; `null` removes them). ' +
    'A status other than `active` refuses every credential of the account at once (403 `account_suspended`). ' +
    'A closed account stays closed.',
  body: AccountUpdate,
  response: PlatformAccount,
  async handle(call) {
    const { runtime, params, body } = call;
    if (typeof body !== 'object' || body === null)
      throw validationFailed([{ path: '', message: 'The request body must be a JSON object' }]);
    const before = await accountOrThrow(runtime.db, params.id);
    if (before.status === 'closed' && body.status && body.status !== 'closed')
      throw new ApiError('invalid_state_transition', 'A closed account cannot be reopened');
    const diff = changes(before, body);
    // Billing's rules for a plan change (the plan exists, the account fits it, else 409 naming what
    // to remove), before anything else changes; operators may choose plans that are not public.
    if (diff.after.plan)
      await changePlan(runtime, {
        accountId: before.id,
        plan: body.plan!,
        by: { type: 'operator', id: call.operator!.operatorId, on_behalf_of: null },
        anyPlan: true,
      });
    if (Object.keys(diff.after).length) {
      await commitAccountChange(runtime, before.id, [
        {
          sql: `UPDATE accounts SET name = coalesce($2, name),
                  limits = CASE WHEN $3 THEN $4::jsonb ELSE limits END, updated_at = now() WHERE id = $1`,
          parameters: [
            before.id,
            body.name ?? null,
            body.limits !== undefined,
            body.limits ? JSON.stringify(body.limits) : null,
          ],
        },
        ...(body.status && body.status !== before.status ? statusUpdate(before.id, body.status) : []),
        ...operatorAuditStatements({
          ...actorOf(call),
          action: 'account.updated',
          accountId: before.id,
          summary: diff,
        }),
      ]);
    }
    return { status: 200, body: { data: await accountOrThrow(runtime.db, before.id) } };
  },
});

export const accountAdminOperations = [listAccounts, createPlatformAccount, getPlatformAccount, updatePlatformAccount];
