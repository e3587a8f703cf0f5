// LLM calls paid by credits. The model's answer says what a call used only afterwards, so a call
// reserves its minimum (one credit) before the provider is called (short: 402, nothing sent), then
// settles what its tokens cost beyond that once it has answered, taking at most what is left (the
// answer was already given). A failed call gives the reservation back.
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import type { Runtime } from '../platform/contract.ts';
import { newId } from '../platform/ids.ts';
import { aiCallCost, creditSettings, paymentRequired } from './credit-costs.ts';
import { consumeCreditsNow, LEDGER_ID_PREFIX, refundStatement } from './credit-ledger.ts';

export interface AiReservation {
  accountId: string;
  reference: string;
  actor: string;
  reserved: number;
}

/** Reserves a call's minimum; null when the account does not pay by credits. Throws 402 when short. */
export async function reserveAiCredits(
  runtime: Runtime,
  accountId: string,
  actor: string,
): Promise<AiReservation | null> {
  const reserved = aiCallCost(creditSettings(runtime.options), 0);
  const reference = newId('llmcall');
  const now = new Date().toISOString();
  const outcome = await consumeCreditsNow(runtime.db, accountId, {
    cost: reserved,
    feature: 'ai',
    reference,
    actor,
    now,
  });
  if (outcome.kind === 'unmetered') return null;
  if (outcome.kind === 'short') throw paymentRequired(runtime.options, 'an LLM call', outcome);
  return { accountId, reference, actor, reserved };
}

/** Charges what the call's tokens cost beyond the reservation, never below a zero balance. */
export async function settleAiCredits(runtime: Runtime, reservation: AiReservation, tokens: number): Promise<void> {
  const extra = aiCallCost(creditSettings(runtime.options), tokens) - reservation.reserved;
  if (extra > 0) await takeUpTo(runtime.db, reservation, extra);
}

/** The provider failed: the reservation goes back. */
export async function refundAiCredits(runtime: Runtime, reservation: AiReservation): Promise<void> {
  const now = new Date().toISOString();
  await systemQuery(
    runtime.db,
    refundStatement(reservation.accountId, reservation.reference, 'ai', reservation.actor, now),
  );
}

async function takeUpTo(db: Database, reservation: AiReservation, amount: number): Promise<void> {
  await systemQuery(db, {
    sql: `WITH current AS (
            SELECT balance FROM credit_balances WHERE account_id = $1 AND balance > 0 FOR UPDATE),
          taken AS (
            UPDATE credit_balances b SET balance = b.balance - LEAST($2, c.balance), updated_at = $5::timestamptz
              FROM current c WHERE b.account_id = $1
            RETURNING b.balance, LEAST($2, c.balance) AS amount)
          INSERT INTO credit_ledger
            (id, account_id, delta, reason, feature, reference, balance_after, actor, created_at)
          SELECT $3, $1, -amount, 'consume', 'ai', $4, balance, $6, $5::timestamptz FROM taken`,
    parameters: [
      reservation.accountId,
      amount,
      newId(LEDGER_ID_PREFIX),
      reservation.reference,
      new Date().toISOString(),
      reservation.actor,
    ],
  });
}
