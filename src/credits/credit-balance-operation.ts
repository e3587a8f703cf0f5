// GET /v1/billing/credits: the account's credit balance, what metered features cost, and its
// ledger newest first, a page at a time (cursor: the last entry's id).
import { z } from 'zod';
import { tenantBatch } from '../db/tenant-transaction.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { isIdOf } from '../platform/ids.ts';
import { badRequest } from '../platform/errors.ts';
import { creditSettings, TOP_UP_PATH } from './credit-costs.ts';
import {
  CREDIT_FEATURES,
  CREDIT_REASONS,
  LEDGER_ID_PREFIX,
  serializeLedgerEntry,
  type LedgerEntryRow,
} from './credit-ledger.ts';

export const READ_CREDITS_SCOPE = 'read:credits';

export const LedgerEntry = z.object({
  id: z.string(),
  object: z.literal('credit_ledger_entry'),
  delta: z.int().describe('Credits added (positive) or taken (negative).'),
  reason: z.enum(CREDIT_REASONS),
  feature: z.enum(CREDIT_FEATURES).nullable().describe('What consumed or was refunded: `ai` or `sms`.'),
  reference: z
    .string()
    .nullable()
    .describe('What it was for: the SMS outbox row, the LLM call, or the Stripe PaymentIntent of a top-up.'),
  balance_after: z.int(),
  actor: z
    .string()
    .describe(
      'Who caused it, as the audit log names actors: `api_key:...`, `member:...`, `automation:...`, ' +
        '`operator:...`, `stripe`, `system`.',
    ),
  note: z.string().nullable(),
  created_at: z.string(),
});

const CreditBalance = z.object({
  object: z.literal('credit_balance'),
  metered: z
    .boolean()
    .describe('Whether the account pays AI calls and texts with credits; false: it has never held any (quota only).'),
  balance: z.int(),
  costs: z.object({
    sms_segment: z.int().describe('Credits one SMS segment costs.'),
    ai_tokens_per_credit: z.int().describe('LLM tokens one credit buys (each call costs at least one credit).'),
  }),
  top_up_url: z.string(),
  ledger: z.array(LedgerEntry).describe('Newest first.'),
  ledger_page: z.object({ has_more: z.boolean(), next_cursor: z.string().nullable() }),
});

const Query = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().optional().describe('`ledger_page.next_cursor` of the previous page.'),
});

export const creditBalanceOperation = defineOperation({
  method: 'get',
  path: '/v1/billing/credits',
  operationId: 'getCreditBalance',
  tag: 'Credits',
  scope: READ_CREDITS_SCOPE,
  bucket: 'read',
  summary: 'The credit balance and its ledger',
  description:
    'Prepaid credits pay for metered features when the account holds a balance: texts (per segment) and LLM ' +
    'calls (per thousand tokens). An exhausted balance answers 402 `payment_required`, and nothing is sent.',
  query: Query,
  response: CreditBalance,
  async handle({ runtime, principal, query }) {
    if (query.cursor !== undefined && !isIdOf(LEDGER_ID_PREFIX, query.cursor))
      throw badRequest(`cursor: '${query.cursor}' is not a cursor this list gave`);
    const [[balance], entries] = await tenantBatch(
      runtime.db,
      principal.accountId,
      [
        { sql: 'SELECT balance FROM credit_balances WHERE account_id = $1', parameters: [principal.accountId] },
        {
          sql: `SELECT * FROM credit_ledger WHERE account_id = $1 AND ($2::text IS NULL OR id < $2)
                 ORDER BY id DESC LIMIT $3`,
          parameters: [principal.accountId, query.cursor ?? null, query.limit + 1],
        },
      ],
      { readOnly: true },
    );
    const settings = creditSettings(runtime.options);
    const page = (entries as unknown as LedgerEntryRow[]).slice(0, query.limit);
    const hasMore = entries.length > query.limit;
    const data: z.infer<typeof CreditBalance> = {
      object: 'credit_balance',
      metered: balance !== undefined,
      balance: Number(balance?.balance ?? 0),
      costs: { sms_segment: settings.perSmsSegment, ai_tokens_per_credit: settings.aiTokensPerCredit },
      top_up_url: `${runtime.options.publicUrl}${TOP_UP_PATH}`,
      ledger: page.map(serializeLedgerEntry),
      ledger_page: { has_more: hasMore, next_cursor: hasMore ? page[page.length - 1].id : null },
    };
    return { status: 200, body: { data } };
  },
});
