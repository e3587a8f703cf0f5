// The credit ledger: every change to an account's credit balance is one append-only entry written
// in the same statement as the balance change, so the balance always equals the sum of its
// entries. Consumption is one atomic `UPDATE ... WHERE balance >= cost`: concurrent senders queue
// on the balance row and each re-checks what the one before left, so none can take it below zero.
import type { Database } from '../db/database.ts';
import { inlineParameters, type SqlStatement } from '../db/inline-parameters.ts';
import { systemQuery } from '../db/system-query.ts';
import type { TenantTransaction } from '../db/tenant-transaction.ts';
import { newId } from '../platform/ids.ts';

export const CREDIT_REASONS = ['grant', 'top_up', 'consume', 'refund', 'expire'] as const;
export const CREDIT_FEATURES = ['ai', 'sms'] as const;
export type CreditReason = (typeof CREDIT_REASONS)[number];
export type CreditFeature = (typeof CREDIT_FEATURES)[number];

export const LEDGER_ID_PREFIX = 'cle';

/** What a consumption asks for. `reference` names what it paid for (an SMS outbox row, an LLM call). */
export interface Consumption {
  cost: number;
  feature: CreditFeature;
  reference: string;
  /** Who caused it (`key:key_...`, `user:usr_...`, `automation:...`, `system`). */
  actor: string;
  now: string;
}

/**
 * `unmetered`: the account holds no credit balance and pays as before (quota only);
 * `taken`: the cost is debited; `short`: the balance is below the cost and nothing was debited.
 */
export type ConsumeOutcome =
  { kind: 'unmetered' } | { kind: 'taken'; balance: number } | { kind: 'short'; balance: number; required: number };

const consumeStatement = (accountId: string, c: Consumption): SqlStatement => ({
  sql: `WITH taken AS (
          UPDATE credit_balances SET balance = balance - $2, updated_at = $6
           WHERE account_id = $1 AND balance >= $2 RETURNING balance),
        entry AS (
          INSERT INTO credit_ledger
            (id, account_id, delta, reason, feature, reference, balance_after, actor, created_at)
          SELECT $3, $1, -$2, 'consume', $4, $5, balance, $7, $6::timestamptz FROM taken RETURNING balance_after)
        SELECT (SELECT balance_after FROM entry) AS balance_after,
               (SELECT balance FROM credit_balances WHERE account_id = $1) AS balance`,
  parameters: [accountId, c.cost, newId(LEDGER_ID_PREFIX), c.feature, c.reference, c.now, c.actor],
});

/** Debits `c.cost` in the caller's transaction (rolled back with it), or says why not. */
export async function consumeCredits(tx: TenantTransaction, c: Consumption): Promise<ConsumeOutcome> {
  const [row] = await tx.query<{ balance_after: unknown; balance: unknown }>(consumeStatement(tx.accountId, c));
  if (row.balance_after !== null && row.balance_after !== undefined)
    return { kind: 'taken', balance: Number(row.balance_after) };
  if (row.balance === null || row.balance === undefined) return { kind: 'unmetered' };
  // The scalar subquery may have read the row before a concurrent debit committed: read it again.
  const [now] = await tx.query<{ balance: unknown }>({
    sql: 'SELECT balance FROM credit_balances WHERE account_id = $1',
    parameters: [tx.accountId],
  });
  return { kind: 'short', balance: Number(now?.balance ?? 0), required: c.cost };
}

/** The same debit outside any open transaction (an LLM call holds none while the model answers). */
export async function consumeCreditsNow(db: Database, accountId: string, c: Consumption): Promise<ConsumeOutcome> {
  const [row] = await systemQuery<{ balance_after: unknown; balance: unknown }>(db, consumeStatement(accountId, c));
  if (row.balance_after !== null && row.balance_after !== undefined)
    return { kind: 'taken', balance: Number(row.balance_after) };
  if (row.balance === null || row.balance === undefined) return { kind: 'unmetered' };
  return { kind: 'short', balance: Number(row.balance), required: c.cost };
}

/**
 * Gives back what was consumed for `reference`, once: nothing when nothing was consumed or it was
 * refunded already. A statement, so the SMS relay runs it in the transaction that fails the text.
 */
export function refundStatement(
  accountId: string,
  reference: string,
  feature: CreditFeature,
  actor: string,
  now: string,
): SqlStatement {
  return {
    sql: `WITH charged AS (
            SELECT COALESCE(-SUM(delta), 0) AS amount FROM credit_ledger
             WHERE account_id = $1 AND reference = $2 AND reason = 'consume'),
          given AS (
            UPDATE credit_balances b SET balance = b.balance + c.amount, updated_at = $4
              FROM charged c
             WHERE b.account_id = $1 AND c.amount > 0
               AND NOT EXISTS (SELECT 1 FROM credit_ledger
                                WHERE account_id = $1 AND reference = $2 AND reason = 'refund')
            RETURNING b.balance, c.amount)
          INSERT INTO credit_ledger
            (id, account_id, delta, reason, feature, reference, balance_after, actor, created_at)
          SELECT $3, $1, amount, 'refund', $5, $2, balance, $6, $4::timestamptz FROM given`,
    parameters: [accountId, reference, newId(LEDGER_ID_PREFIX), now, feature, actor],
  };
}

export interface CreditChange {
  /** Positive: added (grant, top_up); for `expire`, how much is removed. */
  amount: number;
  reason: 'grant' | 'top_up' | 'expire';
  /** A top-up's PaymentIntent: the same reference is credited once. */
  reference?: string;
  actor: string;
  note?: string;
}

export interface LedgerEntryRow {
  id: string;
  account_id: string;
  delta: string | number;
  reason: CreditReason;
  feature: CreditFeature | null;
  reference: string | null;
  balance_after: string | number;
  actor: string;
  note: string | null;
  created_at: string | Date;
}

// A new balance row is made by the first grant; an expiry only lowers an existing one, never below zero
// (a CHECK is tested before ON CONFLICT, so the two cannot share an upsert).
const ADD = `INSERT INTO credit_balances AS b (account_id, balance, updated_at)
  SELECT $1, $2::bigint, $5::timestamptz FROM fresh
  ON CONFLICT (account_id) DO UPDATE SET balance = b.balance + EXCLUDED.balance, updated_at = $5
  RETURNING balance`;
const EXPIRE = `UPDATE credit_balances SET balance = balance + $2, updated_at = $5
  WHERE account_id = $1 AND balance + $2 >= 0 AND EXISTS (SELECT 1 FROM fresh) RETURNING balance`;

const UNIQUE_VIOLATION = '23505';
const CHECK_VIOLATION = '23514';

/**
 * Adds (or, `expire`, removes) credits as the platform: operators' grants and paid top-ups. The
 * first grant makes the account one that pays by credits. Answers the entry; null when
 * `reference` was credited before (a webhook delivered twice) or an expiry exceeds the balance.
 */
export async function changeCredits(
  db: Database,
  accountId: string,
  change: CreditChange,
  /** Committed with the change only when it is made (its audit entries). */
  also: readonly SqlStatement[] = [],
): Promise<LedgerEntryRow | null> {
  const delta = change.reason === 'expire' ? -change.amount : change.amount;
  const now = new Date().toISOString();
  try {
    const statement = {
      sql: `WITH fresh AS (
              SELECT 1 WHERE $4::text IS NULL OR NOT EXISTS (
                SELECT 1 FROM credit_ledger WHERE account_id = $1 AND reason = $3 AND reference = $4)),
            balance AS (${change.reason === 'expire' ? EXPIRE : ADD})
            INSERT INTO credit_ledger (id, account_id, delta, reason, feature, reference, balance_after, actor, note,
                                       created_at)
            SELECT $6, $1, $2::bigint, $3, NULL, $4, balance, $7, $8, $5::timestamptz FROM balance
            RETURNING *`,
      parameters: [
        accountId,
        delta,
        change.reason,
        change.reference ?? null,
        now,
        newId(LEDGER_ID_PREFIX),
        change.actor,
        change.note ?? null,
      ],
    };
    return await db.withConnection(async (connection) => {
      try {
        const [, rows] = await connection.run(`BEGIN;\n${inlineParameters(statement)}`);
        const row = rows[0] as LedgerEntryRow | undefined;
        await connection.run(row ? [...also.map(inlineParameters), 'COMMIT'].join(';\n') : 'ROLLBACK');
        return row ?? null;
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    // The same reference credited by a concurrent delivery, or an expiry below zero: not applied.
    if (code === UNIQUE_VIOLATION || code === CHECK_VIOLATION) return null;
    throw error;
  }
}

/** A ledger entry as the API shows it. */
export const serializeLedgerEntry = (row: LedgerEntryRow) => ({
  id: row.id,
  object: 'credit_ledger_entry' as const,
  delta: Number(row.delta),
  reason: row.reason,
  feature: row.feature ?? null,
  reference: row.reference ?? null,
  balance_after: Number(row.balance_after),
  actor: row.actor,
  note: row.note ?? null,
  created_at: new Date(row.created_at).toISOString(),
});
