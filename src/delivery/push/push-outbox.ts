// Queuing a push: one outbox row and one delivery record per subscription of the member, in the
// caller's transaction, so a push is queued with the change that caused it or not at all. The
// push relay encrypts and sends each after commit.
import { newId } from '../../platform/ids.ts';
import type { OperationContext } from '../../platform/contract.ts';
import { recordDelivery, type About } from '../delivery-log.ts';
import { pushRelay } from './push-services.ts';

/** What the service worker receives (`event.data.json()`) and shows. */
export interface PushMessage {
  title: string;
  body?: string;
  /** Where a click takes the member: an API path or a URL. */
  url?: string;
  /** Replaces an earlier notification with the same tag on the device. */
  tag?: string;
}

/**
 * The largest payload a push can carry: a 4096-byte record (RFC 8291) less the header, padding
 * delimiter and tag. The body is shortened to fit.
 */
export const MAX_PAYLOAD_BYTES = 3993;

export function pushPayload(message: PushMessage): string {
  let payload = JSON.stringify(message);
  for (let body = message.body ?? ''; Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES && body;) {
    body = body.slice(0, Math.floor(body.length * 0.9));
    payload = JSON.stringify({ ...message, body: `${body}…` });
  }
  return payload;
}

/** Queues a push to each of the member's subscriptions in `ctx`'s transaction; answers their deliveries' ids. */
export async function queuePush(
  ctx: OperationContext,
  userId: string,
  message: PushMessage,
  about?: About,
): Promise<string[]> {
  const subscriptions = await ctx.tx.query<{ id: string; endpoint: string }>({
    sql: `SELECT id, endpoint FROM ${ctx.registry.get('push-subscriptions').table}
           WHERE account_id = $1 AND user_id = $2 ORDER BY id`,
    parameters: [ctx.tx.accountId, userId],
  });
  const payload = pushPayload(message);
  // A running relay sends at once rather than at its next round.
  if (subscriptions.length) ctx.tx.afterCommit(async () => ctx.runtime.find(pushRelay)?.nudge());
  return subscriptions.map((subscription) => {
    const deliveryId = recordDelivery(
      ctx.tx,
      { channel: 'push', recipient: subscription.endpoint, subject: message.title, about },
      ctx.now,
    );
    ctx.tx.defer({
      sql: `INSERT INTO push_outbox (id, account_id, subscription_id, delivery_id, payload, next_attempt_at, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $6)`,
      parameters: [newId('push'), ctx.tx.accountId, subscription.id, deliveryId, payload, ctx.now],
    });
    return deliveryId;
  });
}
