// Where an outbound message goes, per conversation channel. An adapter hands the message over
// inside the transaction that stores it (an outbox row), so a message is stored and queued
// together or not at all; delivery and its retries happen after commit, off the request.
//   email: the mail outbox, which the mail relay sends over SMTP (or to the log in development);
//   sms:   the SMS outbox. The development adapter's row is the record of what would be sent;
//          a provider adapter would relay those rows the way the mail relay does;
//   chat:  nothing to hand over: the message itself is what the chat client reads.
// Voice conversations have no outbound messages (calls are call logs).
import type { TenantTransaction } from '../db/tenant-transaction.ts';
import { newId } from '../platform/ids.ts';
import { queueMailStatement } from '../mail/mail-outbox.ts';

export const CHANNELS = ['sms', 'email', 'voice', 'chat'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface OutboundMessage {
  messageId: string;
  to: string;
  subject: string | null;
  body: string;
}

export interface ChannelAdapter {
  /** Queues the message in `tx`; returns the outbox reference (null when there is no outbox). */
  handOver(tx: TenantTransaction, message: OutboundMessage, now: string): string | null;
}

export const emailAdapter: ChannelAdapter = {
  handOver(tx, message, now) {
    const id = newId('mail');
    tx.defer(
      queueMailStatement(
        { accountId: tx.accountId, to: [message.to], subject: message.subject ?? '(no subject)', text: message.body },
        now,
        id,
      ),
    );
    return id;
  },
};

export const recordingSmsAdapter: ChannelAdapter = {
  handOver(tx, message, now) {
    const id = newId('sms');
    tx.defer({
      sql: 'INSERT INTO sms_outbox (id, account_id, message_id, to_number, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      parameters: [id, tx.accountId, message.messageId, message.to, message.body, now],
    });
    return id;
  },
};

export const chatAdapter: ChannelAdapter = { handOver: () => null };

/** The adapter of each channel that can send; voice has none. */
export const CHANNEL_ADAPTERS: Partial<Record<Channel, ChannelAdapter>> = {
  email: emailAdapter,
  sms: recordingSmsAdapter,
  chat: chatAdapter,
};
