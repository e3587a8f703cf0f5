// Queuing a text: its outbox row and its delivery record, in the caller's transaction, so a text
// is stored and queued together or not at all. The SMS relay sends it after commit. Without a
// provider configured it is recorded `not_configured` and never due: a text meant for now is not
// sent hours later when one is configured.
import { lazyRequire } from '../../platform/lazy-require.ts';
import { newId } from '../../platform/ids.ts';
import type { OperationContext } from '../../platform/contract.ts';
import { recordDelivery, type About } from '../delivery-log.ts';
import { paySms } from '../../credits/sms-credits.ts';

/** libphonenumber-js (its metadata is large), loaded by the first number read. */
export const phoneNumbers = lazyRequire<typeof import('libphonenumber-js')>('libphonenumber-js');

/** A phone number as providers take it (E.164, `+14155550142`), or null when it cannot be one. */
export function e164(phone: string): string | null {
  const parsed = phoneNumbers().parsePhoneNumberFromString(phone);
  return parsed?.isPossible() ? parsed.number : null;
}

export interface QueuedText {
  /** E.164 (`+14155550142`): the caller has checked it. */
  to: string;
  body: string;
  /** What the delivery log shows instead of the body (a sign-in code must not be readable there). */
  subject?: string;
  about?: About;
  /** The conversation message it carries, if any. */
  messageId?: string;
  /** Nobody waits on it (a notification): a short credit balance fails the text instead of the request. */
  background?: boolean;
}

/**
 * Queues a text in `ctx`'s transaction; answers its delivery's id. An account that pays by credits
 * pays for it before commit (src/credits/sms-credits.ts): short, the text is never queued.
 */
export function queueSms(ctx: OperationContext, text: QueuedText): string {
  const configured = ctx.runtime.options.sms !== undefined;
  const deliveryId = recordDelivery(
    ctx.tx,
    {
      channel: 'sms',
      recipient: text.to,
      subject: text.subject ?? text.body.slice(0, 300),
      about: text.about,
      status: configured ? 'queued' : 'not_configured',
    },
    ctx.now,
  );
  const outboxId = newId('sms');
  const insert = {
    sql: `INSERT INTO sms_outbox (id, account_id, message_id, to_number, body, delivery_id, next_attempt_at, created_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    parameters: [
      outboxId,
      ctx.tx.accountId,
      text.messageId ?? null,
      text.to,
      text.body,
      deliveryId,
      configured ? ctx.now : null,
      ctx.now,
    ],
  };
  // Without a provider nothing leaves, so nothing is charged.
  if (!configured) ctx.tx.defer(insert);
  else
    ctx.tx.beforeCommit(async () => {
      if (await paySms(ctx, { reference: outboxId, body: text.body, deliveryId, background: text.background }))
        ctx.tx.defer(insert);
    });
  return deliveryId;
}
