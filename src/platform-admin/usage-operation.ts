// GET /v1/platform/usage: what each account used in a month (API requests, webhook deliveries,
// automation runs, AI tokens), from the monthly quota counters every node flushes
// (src/limits/monthly-quota.ts), beside its plan's allowance. Accounts with no use show zeros.
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { systemQuery } from '../db/system-query.ts';
import { planFromRow, planOfAccountSql, type PlanRow } from '../billing/plan-rows.ts';
import { periodOf } from '../limits/monthly-quota.ts';
import { isoSql } from './account-admin-shapes.ts';
import { afterCursorSql, pageOf, pageQuery, pageStart } from './platform-page.ts';
import { PLATFORM_TAG } from './platform-tag.ts';

const Counts = z.object({
  requests: z.number().int(),
  webhook_deliveries: z.number().int(),
  automation_runs: z.number().int(),
  ai_tokens: z.number().int(),
});

const AccountUsage = z.object({
  object: z.literal('account_usage'),
  id: z.string().describe('The account id.'),
  name: z.string(),
  plan: z.string(),
  status: z.string(),
  month: z.string(),
  used: Counts,
  included: Counts.describe("The plan's monthly allowance."),
  created_at: z.string(),
});

type UsageRow = {
  id: string;
  name: string;
  plan: string;
  plan_row: PlanRow;
  status: string;
  created_at: string;
  requests: string | number;
  webhook_deliveries: string | number;
  automation_runs: string | number;
  ai_tokens: string | number;
};

export const usageOperation = defineOperation({
  method: 'get',
  path: '/v1/platform/usage',
  operationId: 'listPlatformUsage',
  tag: PLATFORM_TAG,
  scope: 'platform:usage',
  authentication: 'operator',
  bucket: 'read',
  sdk: { excluded: 'platform administration is not part of the tenant SDKs' },
  summary: 'Usage across accounts',
  description:
    "Each account's use in `month` (YYYY-MM, UTC; default this month), newest account first: API requests, webhook " +
    'deliveries, automation runs and AI tokens, as counted against its monthly quotas. Cursor pagination.',
  query: z.strictObject({
    ...pageQuery,
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')
      .optional(),
  }),
  response: z.array(AccountUsage),
  async handle({ runtime, query }) {
    const month = query.month ?? periodOf(Date.now());
    const [at, id] = pageStart(query.cursor);
    const rows = await systemQuery<UsageRow>(runtime.db, {
      sql: `SELECT a.id, a.name, a.plan, ${planOfAccountSql('a')} AS plan_row, a.status,
                   ${isoSql('a.created_at')} AS created_at,
                   coalesce(u.requests, 0) AS requests, coalesce(u.webhook_deliveries, 0) AS webhook_deliveries,
                   coalesce(u.automation_runs, 0) AS automation_runs, coalesce(u.ai_tokens, 0) AS ai_tokens
              FROM accounts a LEFT JOIN usage_counters u ON u.account_id = a.id AND u.period = $1
             WHERE ${afterCursorSql('$2', '$3', 'a.')}
             ORDER BY a.created_at DESC, a.id DESC LIMIT $4`,
      parameters: [month, at, id, query.limit + 1],
    });
    const page = pageOf(rows, query.limit);
    const data = page.data.map((row) => {
      const plan = planFromRow(row.plan_row);
      return {
        object: 'account_usage' as const,
        id: row.id,
        name: row.name,
        plan: row.plan,
        status: row.status,
        month,
        used: {
          requests: Number(row.requests),
          webhook_deliveries: Number(row.webhook_deliveries),
          automation_runs: Number(row.automation_runs),
          ai_tokens: Number(row.ai_tokens),
        },
        included: {
          requests: plan.monthlyRequests,
          webhook_deliveries: plan.monthlyWebhookDeliveries,
          automation_runs: plan.monthlyAutomationRuns,
          ai_tokens: plan.monthlyAiTokens,
        },
        created_at: row.created_at,
      };
    });
    return { status: 200, body: { data, page: page.page } };
  },
});
