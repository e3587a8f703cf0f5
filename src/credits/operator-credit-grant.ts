// POST /v1/platform/accounts/{id}/credits: an operator adds credits to an account (a goodwill
// grant, a sale made outside Stripe) or expires some. The first grant makes the account one that
// pays by credits. The ledger entry, the operator's audit entry and the account's own audit entry
// are one transaction: a grant without its record cannot commit.
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError } from '../platform/errors.ts';
import { accountOrThrow } from '../platform-admin/account-admin-shapes.ts';
import { actorOf as operatorOf } from '../platform-admin/account-admin-operations.ts';
import { operatorAuditInsert } from '../platform-admin/platform-audit.ts';
import { PLATFORM_TAG } from '../platform-admin/platform-tag.ts';
import { auditStatement } from '../audit/record-audit.ts';
import { changeCredits, serializeLedgerEntry } from './credit-ledger.ts';
import { LedgerEntry } from './credit-balance-operation.ts';
import { MAX_TOP_UP } from './credit-top-up.ts';

const Grant = z.strictObject({
  amount: z.int().min(1).max(MAX_TOP_UP).describe('Credits to add (`grant`) or to take away (`expire`).'),
  reason: z.enum(['grant', 'expire']).default('grant'),
  note: z.string().trim().min(1).max(500).optional().describe('Why, for the ledger and the audit logs.'),
});

export const operatorCreditGrantOperation = defineOperation({
  method: 'post',
  path: '/v1/platform/accounts/{id}/credits',
  operationId: 'grantPlatformAccountCredits',
  tag: PLATFORM_TAG,
  scope: 'platform:accounts',
  authentication: 'operator',
  bucket: 'write',
  sdk: { excluded: 'platform administration is not part of the tenant SDKs' },
  params: { id: { pattern: '^acct_[0-9A-HJKMNP-TV-Z]{26}$' } },
  summary: "Grant or expire an account's credits",
  description:
    'Adds `amount` credits (`grant`; the first makes the account pay texts and LLM calls with credits) or ' +
    'removes them (`expire`: at most the balance, else 409). Recorded in the ledger, the operators’ audit log and ' +
    "the account's audit log.",
  body: Grant,
  response: LedgerEntry,
  successStatus: 201,
  errors: [404, 409, 422],
  async handle(call) {
    const { runtime, params, body } = call;
    const account = await accountOrThrow(runtime.db, params.id);
    const operator = operatorOf(call);
    const action = body.reason === 'grant' ? 'credits.granted' : 'credits.expired';
    const entry = await changeCredits(
      runtime.db,
      account.id,
      { amount: body.amount, reason: body.reason, actor: `operator:${operator.operator.operatorId}`, note: body.note },
      [
        operatorAuditInsert({
          ...operator,
          action,
          accountId: account.id,
          summary: { amount: body.amount, ...(body.note ? { note: body.note } : {}) },
        }),
        auditStatement(account.id, {
          action,
          actor: { type: 'operator', id: operator.operator.operatorId, on_behalf_of: null },
          resourceType: 'credit_balance',
          resourceId: account.id,
          changes: { amount: body.amount, ...(body.note ? { note: body.note } : {}) },
          ip: call.clientIp,
        }),
      ],
    );
    if (!entry)
      throw new ApiError('conflict', `The account holds fewer than ${body.amount} credits; nothing was expired`);
    return { status: 201, body: { data: serializeLedgerEntry(entry) } };
  },
});
