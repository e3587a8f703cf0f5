// The deletion of closed accounts: a periodic job (one node per round) that finds the accounts
// closed longer than the retention period (FIELDLINE_ACCOUNT_RETENTION_DAYS, default 30) and, for
// each, removes its stored files and then, in one transaction, every row of it in every table
// the catalogue shows holding account rows (account-tables.ts), children before parents, and the
// account itself. What remains is the tombstone in closed_accounts (id, closed_at, deleted_at)
// and the operators' own records (KEPT_AFTER_DELETION). An account an operator reopened
// (resumed) before then is left alone and its tombstone removed. Accounts that belong to it (its
// test-mode sandbox) go with it.
import type { Logger } from 'pino';
import { allowAuditPurge } from '../audit/audit-purge.ts';
import { operatorAuditInsert } from '../platform-admin/platform-audit.ts';
import { inlineParameters } from '../db/inline-parameters.ts';
import { systemQuery } from '../db/system-query.ts';
import { serviceKey } from '../platform/api/service-key.ts';
import type { Runtime } from '../platform/contract.ts';
import { PeriodicJob } from '../platform/jobs/periodic-job.ts';
import type { Lifecycle } from '../platform/api/module.ts';
import { fileStorage } from '../storage/storage-module.ts';
import { accountFamily, accountTables, deletionOrder, KEPT_AFTER_DELETION } from './account-tables.ts';
import { allAccountFilePrefixes } from './account-files.ts';

export const DEFAULT_ACCOUNT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;
const HOURLY = 3_600_000;

export const retentionDaysOf = (runtime: Runtime) =>
  runtime.options.accountRetentionDays ?? DEFAULT_ACCOUNT_RETENTION_DAYS;

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export class AccountDeletion implements Lifecycle {
  readonly schedule: PeriodicJob;

  constructor(
    private readonly runtime: Runtime,
    private readonly logger: Logger,
    everyMs = HOURLY,
  ) {
    this.schedule = new PeriodicJob(runtime.db, logger, {
      name: 'account-deletion',
      everyMs,
      run: (now) => this.sweep(now),
    });
  }

  start(): void {
    this.schedule.start();
  }

  stop(): Promise<void> {
    return this.schedule.stop();
  }

  /** Deletes every account due at `now` (of `accountIds` only, when given); answers the accounts deleted. */
  async sweep(now = Date.now(), accountIds?: readonly string[]): Promise<string[]> {
    const only = accountIds ?? null;
    // Accounts an operator closed have no tombstone yet; those reopened since lose theirs.
    await systemQuery(this.runtime.db, {
      sql: `INSERT INTO closed_accounts (account_id, closed_at)
            SELECT id, coalesce(status_changed_at, $1) FROM accounts
             WHERE status = 'closed' AND ($2::text[] IS NULL OR id = ANY ($2::text[]))
            ON CONFLICT (account_id) DO NOTHING`,
      parameters: [new Date(now).toISOString(), only],
    });
    await systemQuery(this.runtime.db, {
      sql: `DELETE FROM closed_accounts c WHERE deleted_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = c.account_id AND a.status = 'closed')`,
      parameters: [],
    });
    const due = await systemQuery<{ account_id: string }>(this.runtime.db, {
      sql: `SELECT account_id FROM closed_accounts
             WHERE deleted_at IS NULL AND closed_at <= $1 AND ($2::text[] IS NULL OR account_id = ANY ($2::text[]))
             ORDER BY closed_at, account_id`,
      parameters: [new Date(now - retentionDaysOf(this.runtime) * DAY_MS).toISOString(), only],
    });
    const deleted: string[] = [];
    for (const { account_id } of due) {
      try {
        if (await this.deleteAccount(account_id, now)) deleted.push(account_id);
      } catch (err) {
        // One account's failure must not hold up the others; the next round tries it again.
        this.logger.error({ err, account: account_id }, 'account deletion failed');
      }
    }
    return deleted;
  }

  /** Deletes the closed account's files, then its rows; false when it is no longer closed. */
  async deleteAccount(accountId: string, now: number): Promise<boolean> {
    const [account] = await systemQuery(this.runtime.db, {
      sql: 'SELECT status FROM accounts WHERE id = $1',
      parameters: [accountId],
    });
    if (account?.status !== 'closed') return false;
    const family = await this.runtime.db.withConnection((connection) => accountFamily(connection, accountId));
    // Files first: a failure then leaves rows to delete next round, never rows whose files are gone unnoticed.
    const storage = this.runtime.use(fileStorage);
    for (const member of family)
      for (const prefix of allAccountFilePrefixes(member))
        for await (const key of storage.list(prefix)) await storage.delete(key);
    return this.runtime.db.withConnection(async (connection) => {
      await connection.run('BEGIN');
      try {
        const [[locked]] = await connection.run(
          inlineParameters({ sql: 'SELECT status FROM accounts WHERE id = $1 FOR UPDATE', parameters: [accountId] }),
        );
        if (locked?.status !== 'closed') {
          await connection.run('ROLLBACK');
          return false;
        }
        const tables = (await accountTables(connection)).filter((t) => !(t.table in KEPT_AFTER_DELETION));
        const ordered = await deletionOrder(connection, tables);
        // The audit trail is append-only but for its retention purge and this deletion.
        const results = await connection.run(
          [
            allowAuditPurge(),
            ...ordered.map((t) => ({
              sql: `WITH gone AS (DELETE FROM ${quoteIdent(t.table)}
                                   WHERE ${quoteIdent(t.accountColumn)} = ANY ($1::text[]) RETURNING 1)
                    SELECT count(*)::int AS n FROM gone`,
              parameters: [family],
            })),
          ]
            .map(inlineParameters)
            .join(';\n'),
        );
        const rowsDeleted = Object.fromEntries(
          ordered.map((t, i) => [t.table, Number(results[i + 1][0].n)] as const).filter(([, n]) => n > 0),
        );
        const rest = [
          // People keep their sign-in; a session acting in the account acts in none.
          {
            sql: 'UPDATE sessions SET active_account_id = NULL WHERE active_account_id = ANY ($1::text[])',
            parameters: [family],
          },
          // The account and those that belong to it (its sandbox), in one statement: their links hold to its end.
          { sql: 'DELETE FROM accounts WHERE id = ANY ($1::text[])', parameters: [family] },
          {
            sql: 'UPDATE closed_accounts SET deleted_at = $2 WHERE account_id = $1',
            parameters: [accountId, new Date(now).toISOString()],
          },
          // The service's own record of it, kept: what was deleted, table by table (no content).
          operatorAuditInsert({
            operator: { operatorId: null, email: null },
            action: 'account.deleted',
            accountId,
            summary: { accounts: family, rows_deleted: rowsDeleted },
            ip: null,
          }),
        ];
        await connection.run([...rest.map(inlineParameters), 'COMMIT'].join(';\n'));
        this.logger.info({ account: accountId, tables: tables.length }, 'closed account deleted');
        return true;
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }
}

/** Deletes closed accounts after their retention period. */
export const accountDeletionKey = serviceKey<AccountDeletion>('the closed account deletion');
