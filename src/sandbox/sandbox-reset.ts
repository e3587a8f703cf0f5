// POST /v1/sandbox/reset: deletes every row of the caller's sandbox (README "Test mode"), like
// Stripe's "delete all test data". The tables are found in the database catalogue (the export
// module's account-tables.ts), so a table added tomorrow is emptied without a change here. What
// survives is the platform's record of the sandbox, not its data: the account row, its usage
// counters (a reset must not refill the monthly quota), the append-only audit trail and ledgers.
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError } from '../platform/errors.ts';
import { inlineParameters } from '../db/inline-parameters.ts';
import { accountTables, deletionOrder, KEPT_AFTER_DELETION } from '../account-export/account-tables.ts';
import type { Database } from '../db/database.ts';

/** The platform's records of the sandbox, kept: usage, the append-only audit trail and credit ledger, billing. */
const KEPT = new Set([
  'accounts',
  'usage_counters',
  'audit_log',
  'credit_balances',
  'credit_ledger',
  'billing_subscriptions',
  'plan_changes',
  ...Object.keys(KEPT_AFTER_DELETION),
]);

const SandboxReset = z.object({
  object: z.literal('sandbox_reset'),
  account_id: z.string().describe('The sandbox whose data was deleted.'),
  deleted: z.record(z.string(), z.number().int()).describe('Rows deleted, per table that had any.'),
});

/** Deletes the sandbox's rows in one transaction: all of them, or none when anything fails. */
async function resetSandbox(db: Database, sandboxId: string): Promise<Record<string, number>> {
  return db.withConnection(async (connection) => {
    const tables = (await deletionOrder(connection, await accountTables(connection))).filter((t) => !KEPT.has(t.table));
    const statements = tables.map((t) =>
      inlineParameters({
        sql: `WITH gone AS (DELETE FROM ${t.table} WHERE ${t.accountColumn} = $1 RETURNING 1)
              SELECT count(*)::int AS n FROM gone`,
        parameters: [sandboxId],
      }),
    );
    try {
      const results = await connection.run(['BEGIN', ...statements, 'COMMIT'].join(';\n'));
      const deleted: Record<string, number> = {};
      tables.forEach((t, i) => {
        const n = Number(results[i + 1]?.[0]?.n ?? 0);
        if (n > 0) deleted[t.table] = n;
      });
      return deleted;
    } catch (error) {
      await connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}

export const sandboxResetOperation = defineOperation({
  method: 'post',
  path: '/v1/sandbox/reset',
  operationId: 'resetSandbox',
  tag: 'Account',
  scope: 'write:account',
  bucket: 'expensive',
  summary: 'Delete all test-mode data',
  description:
    'With a test key: deletes every object of the sandbox (customers, jobs, events, webhook endpoints, ' +
    'deliveries, request logs, ...), keeping the sandbox itself, its usage this month and the audit trail. ' +
    'A live key or session is refused (403): live data is never reset.',
  response: SandboxReset,
  async handle({ runtime, principal }) {
    if (!principal.sandboxOf)
      throw new ApiError('forbidden', 'Only a test key resets test-mode data; live data is never reset');
    const deleted = await resetSandbox(runtime.db, principal.accountId);
    return {
      status: 200,
      body: { data: { object: 'sandbox_reset' as const, account_id: principal.accountId, deleted } },
    };
  },
});
