// Where an outbound message goes, per conversation channel. An adapter hands the message over
// inside the transaction that stores it (an outbox row and its delivery record), so a message is
// stored and queued together or not at all; delivery and its retries happen after commit, off
// the request. The reference it answers is the delivery's id (`/v1/deliveries/{id}`).
//   email: the mail outbox, which the mail relay sends over SMTP (or to the log in development);
//   sms:   the SMS outbox, which the SMS relay hands to the provider; without one configured the
//          text stays there, never due, and its delivery says `not_configured`;
//   chat:  nothing to hand over: the message itself is what the chat client reads.
// Voice conversations have no outbound messages (calls are call logs).
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { newId } from '../platform/ids.ts';
import { validationFailed } from '../platform/errors.ts';
import type { OperationContext } from '../platform/contract.ts';
import { queueMailDelivery, recordDelivery } from '../delivery/delivery-log.ts';

export const CHANNELS = ['sms', 'email', 'voice', 'chat'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The longest text accepted: ten concatenated segments of 153 GSM-7 characters. */
export const MAX_SMS_LENGTH = 1530;

export interface OutboundMessage {
  messageId: string;
  to: string;
  subject: string | null;
  body: string;
}

export interface ChannelAdapter {
  /** Queues the message in the context's transaction; returns its delivery's id (null when nothing leaves). */
  handOver(ctx: OperationContext, message: OutboundMessage): string | null;
}

export const emailAdapter: ChannelAdapter = {
  handOver(ctx, message) {
    const mail = { to: [message.to], subject: message.subject ?? '(no subject)', text: message.body };
    return queueMailDelivery(ctx.tx, mail, ctx.now, { collection: 'messages', id: message.messageId }).deliveryId;
  },
};

/** A phone number as providers take it (E.164, `+14155550142`), or null when it cannot be one. */
export function e164(phone: string): string | null {
  const parsed = parsePhoneNumberFromString(phone);
  return parsed?.isPossible() ? parsed.number : null;
}

export const smsAdapter: ChannelAdapter = {
  handOver(ctx, message) {
    const to = e164(message.to);
    if (!to)
      throw validationFailed([
        {
          path: 'conversation_id',
          message: `'${message.to}' is not a phone number texts can go to: give it in international form, +14155550142`,
        },
      ]);
    if (message.body.length > MAX_SMS_LENGTH)
      throw validationFailed([{ path: 'body', message: `A text message is at most ${MAX_SMS_LENGTH} characters` }]);
    const configured = ctx.runtime.options.sms !== undefined;
    const deliveryId = recordDelivery(
      ctx.tx,
      {
        channel: 'sms',
        recipient: to,
        subject: message.body.slice(0, 300),
        about: { collection: 'messages', id: message.messageId },
        status: configured ? 'queued' : 'not_configured',
      },
      ctx.now,
    );
    ctx.tx.defer({
      sql: `INSERT INTO sms_outbox (id, account_id, message_id, to_number, body, delivery_id, next_attempt_at,
                                    created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      // Not due without a provider: a text meant for now is not sent hours later when one is configured.
      parameters: [
        newId('sms'),
        ctx.tx.accountId,
        message.messageId,
        to,
        message.body,
        deliveryId,
        configured ? ctx.now : null,
        ctx.now,
      ],
    });
    return deliveryId;
  },
};

export const chatAdapter: ChannelAdapter = { handOver: () => null };

/** The adapter of each channel that can send; voice has none. */
export const CHANNEL_ADAPTERS: Partial<Record<Channel, ChannelAdapter>> = {
  email: emailAdapter,
  sms: smsAdapter,
  chat: chatAdapter,
};
