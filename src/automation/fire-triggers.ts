// Triggers of time: a schedule (cron, in the account's time zone) and a date coming up (24 hours
// before a job's scheduled start, 3 days after an invoice's due date). Each due rule is locked
// while it fires, and each run carries a fire key (the time, or the object and its time) that
// is unique per rule: however many workers look, a moment makes one run (the window's start is
// inclusive, so an object at its very edge is seen twice and run once). A server that was down
// fires a missed schedule once, not once per missed moment; so does a suspended account once it is
// resumed (its rules do not fire meanwhile, and its dates are caught up from where they stopped).
import { Cron } from 'croner';
import type { Row } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import { accountIsActive } from '../platform/active-account.ts';
import { withTenantTransaction, type TenantTransaction } from '../db/tenant-transaction.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import type { OperationContext, Runtime } from '../platform/contract.ts';
import { loadBranding } from '../delivery/branding.ts';
import { conditionHolds, type Condition } from './conditions.ts';
import { insertRun, rulePrincipal } from './run-records.ts';
import { currentRecord } from './run-scope.ts';
import { subjectOf } from './subject.ts';

/** Objects a date trigger fires for in one round; the rest wait for the next. */
const DATES_PER_ROUND = 200;

async function dueRules(runtime: Runtime, kind: string, column: string, now: number, accounts: string[] | null) {
  return systemQuery<{ id: string; account_id: string }>(runtime.db, {
    sql: `SELECT id, account_id FROM automation_rules
           WHERE trigger->>'type' = $1 AND enabled AND deleted_at IS NULL AND ${column} <= $2
             AND ($3::text[] IS NULL OR account_id = ANY ($3::text[]))
             AND ${accountIsActive('automation_rules.account_id')}
           ORDER BY ${column} LIMIT 100`,
    parameters: [kind, new Date(now).toISOString(), accounts],
  });
}

/** The rule, locked, if it is still due (another worker may have fired it meanwhile). */
async function lockDueRule(tx: TenantTransaction, id: string, column: string, now: string): Promise<Row | undefined> {
  const [rule] = await tx.query({
    sql: `SELECT * FROM automation_rules WHERE account_id = $1 AND id = $2 AND enabled AND deleted_at IS NULL
             AND ${column} <= $3 FOR UPDATE`,
    parameters: [tx.accountId, id, now],
  });
  return rule;
}

function ruleContext(tx: TenantTransaction, runtime: Runtime, rule: Row): OperationContext {
  return createOperationContext(tx, rulePrincipal(tx.accountId, rule.id, rule.acts_with_scopes), runtime);
}

const scopeAt = (kind: string, key: string, at: string, object: Record<string, unknown>, record: Row | null) => ({
  event: { id: key, type: kind, created_at: at },
  object,
  previous: {},
  record,
});

export async function fireSchedules(runtime: Runtime, now: number, accounts: string[] | null): Promise<number> {
  const at = new Date(now).toISOString();
  let fired = 0;
  for (const due of await dueRules(runtime, 'schedule', 'next_run_at', now, accounts))
    await withTenantTransaction(runtime.db, due.account_id, async (tx) => {
      const rule = await lockDueRule(tx, due.id, 'next_run_at', at);
      if (!rule) return;
      const { time_zone } = await loadBranding(tx);
      const next = new Cron(rule.trigger.cron, { paused: true, timezone: time_zone }).nextRun(new Date(now));
      tx.defer({
        sql: 'UPDATE automation_rules SET next_run_at = $3 WHERE account_id = $1 AND id = $2',
        parameters: [tx.accountId, rule.id, next?.toISOString() ?? null],
      });
      const key = new Date(rule.next_run_at).toISOString();
      const holds = conditionHolds(rule.conditions as Condition | null, scopeAt('schedule', key, at, {}, null));
      const status = holds ? 'queued' : 'skipped';
      if (await insertRun({ tx, runtime }, { rule, status, trigger: 'schedule', depth: 0, fireKey: key, now: at }))
        fired++;
    });
  return fired;
}

export async function fireDates(runtime: Runtime, now: number, accounts: string[] | null): Promise<number> {
  const at = new Date(now).toISOString();
  let fired = 0;
  for (const due of await dueRules(runtime, 'relative', 'checked_until', now, accounts))
    await withTenantTransaction(runtime.db, due.account_id, async (tx) => {
      const rule = await lockDueRule(tx, due.id, 'checked_until', at);
      if (!rule) return;
      const ctx = ruleContext(tx, runtime, rule);
      const subject = subjectOf(ctx.registry, rule.trigger);
      if (!subject) return;
      const { field, offset_minutes: offset } = rule.trigger;
      // A date field's day starts at midnight in the account's time zone.
      const moment =
        subject.fields[field]?.kind === 'date'
          ? `(${field}::timestamp AT TIME ZONE ${`'${(await loadBranding(tx)).time_zone.replace(/'/g, "''")}'`})`
          : field;
      const live = subject.softDelete ? ' AND deleted_at IS NULL' : '';
      // The objects whose moment plus the offset falls in (checked_until, now]: bounds on the column itself.
      const shift = offset * 60_000;
      const rows = await tx.query<{ id: string; fire_at: string }>({
        sql: `SELECT id, ${moment} + make_interval(mins => $4) AS fire_at FROM ${subject.table}
               WHERE account_id = $1 AND ${moment} >= $2 AND ${moment} <= $3${live}
               ORDER BY ${moment}, id LIMIT ${DATES_PER_ROUND}`,
        parameters: [
          tx.accountId,
          new Date(Date.parse(rule.checked_until) - shift).toISOString(),
          new Date(now - shift).toISOString(),
          offset,
        ],
      });
      for (const row of rows) {
        const key = `${row.id}@${new Date(row.fire_at).toISOString()}`;
        const record = await currentRecord(ctx, subject, row.id);
        const scope = scopeAt('relative', key, at, record ?? { id: row.id }, record);
        const status = conditionHolds(rule.conditions as Condition | null, scope) ? 'queued' : 'skipped';
        const run = { rule, status, trigger: 'relative', depth: 0, fireKey: key, now: at } as const;
        if (await insertRun({ tx, runtime }, { ...run, objectCollection: subject.collection, objectId: row.id }))
          fired++;
      }
      const full = rows.length === DATES_PER_ROUND;
      tx.defer({
        sql: 'UPDATE automation_rules SET checked_until = $3 WHERE account_id = $1 AND id = $2',
        parameters: [tx.accountId, rule.id, full ? rows[rows.length - 1]!.fire_at : at],
      });
    });
  return fired;
}
