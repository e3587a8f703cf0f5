// SMS sends paid by credits: the debit happens in the transaction that queues the text, before the
// SMS relay can see it, so a text the balance cannot pay is never handed to the provider. Someone
// waiting on the request gets 402 and the whole request rolls back; background work (campaigns,
// automations, notifications) keeps going and that text's delivery fails with the reason.
import type { OperationContext } from '../platform/contract.ts';
import { deliveries } from '../delivery/deliveries.ts';
import { actorOf, creditSettings, isBackground, paymentRequired } from './credit-costs.ts';
import { consumeCredits } from './credit-ledger.ts';
import { smsSegments } from './sms-segments.ts';

export const NO_CREDITS_ERROR = 'Not sent: the account has no credits left for it; top up to send texts again';

/**
 * Pays for one text (its SMS outbox row is `reference`). Answers whether it may be queued;
 * throws 402 for a caller waiting on the request when the balance is short.
 */
export async function paySms(
  ctx: OperationContext,
  text: { reference: string; body: string; deliveryId: string; background?: boolean },
): Promise<boolean> {
  const settings = creditSettings(ctx.runtime.options);
  const cost = smsSegments(text.body) * settings.perSmsSegment;
  if (cost <= 0) return true;
  const outcome = await consumeCredits(ctx.tx, {
    cost,
    feature: 'sms',
    reference: text.reference,
    actor: actorOf(ctx.principal),
    now: ctx.now,
  });
  if (outcome.kind !== 'short') return true;
  if (!(text.background ?? isBackground(ctx.principal)))
    throw paymentRequired(ctx.runtime.options, 'this text message', outcome);
  ctx.tx.defer({
    sql: `UPDATE ${deliveries.table} SET status = 'failed', error = $3, failed_at = $4, updated_at = $4
           WHERE account_id = $1 AND id = $2`,
    parameters: [ctx.tx.accountId, text.deliveryId, NO_CREDITS_ERROR, ctx.now],
  });
  return false;
}
