// Where an outbound message goes, per conversation channel. An adapter hands the message over
// inside the transaction that stores it (an outbox row and its delivery record), so a message is
// stored and queued together or not at all; delivery and its retries happen after commit, off
// the request. The reference it answers is the delivery's id (`/v1/deliveries/{id}`).
//   email: the mail outbox, which the mail relay sends over SMTP (or to the log in development);
//          or, when the account connected a mailbox (Gmail, Microsoft 365: the MailboxRouter
//          service of src/integrations), that mailbox's outbox, sent through the provider: the
//          mailbox the conversation was imported from, else the account's default mailbox;
//   sms:   the SMS outbox (src/delivery/sms/sms-outbox.ts), which the SMS relay hands to the provider;
//   chat:  nothing to hand over: the message itself is what the chat client reads.
// Voice conversations have no outbound messages (calls are call logs).
import { validationFailed } from '../platform/errors.ts';
import type { OperationContext } from '../platform/contract.ts';
import { queueMailDelivery, recordDelivery, type About } from '../delivery/delivery-log.ts';
import { queueMailStatement } from '../mail/mail-outbox.ts';
import { serviceKey } from '../platform/api/service-key.ts';
import { e164, queueSms } from '../delivery/sms/sms-outbox.ts';

export const CHANNELS = ['sms', 'email', 'voice', 'chat'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The longest text accepted: ten concatenated segments of 153 GSM-7 characters. */
export const MAX_SMS_LENGTH = 1530;

export interface OutboundMessage {
  messageId: string;
  /** The message's conversation: an email one replies through the mailbox it was imported from. */
  conversationId?: string;
  to: string;
  subject: string | null;
  body: string;
}

export interface ChannelAdapter {
  /** Queues the message in the context's transaction; returns its delivery's id (null when nothing leaves). */
  handOver(ctx: OperationContext, message: OutboundMessage): string | null;
}

/** An email to route: a message of a conversation, or mail of none (an automation's send_message). */
export interface RoutedMail {
  /** The stored message it carries; null for mail that is no message of a conversation. */
  messageId: string | null;
  /** Its conversation, when known; else the router reads it from the message. */
  conversationId?: string | null;
  deliveryId: string;
  to: string;
  subject: string | null;
  body: string;
}

/** The mailboxes the account connected, which email sends through instead of SMTP. */
export interface MailboxRouter {
  /**
   * In the mail's transaction: queues it in the mailbox its conversation came from, else the
   * account's default mailbox; false when the account has no connected mailbox (SMTP then).
   */
  queue(ctx: OperationContext, mail: RoutedMail): Promise<boolean>;
}
export const mailboxRouter = serviceKey<MailboxRouter>('connected mailbox router');

/**
 * Queues one email in the context's transaction: through a connected mailbox when the account has
 * one (routed by `route.conversationId`), else the SMTP mail outbox. Answers the delivery's id.
 * A mailbox sends the text part only; the HTML alternative goes by SMTP alone.
 */
export function queueEmail(
  ctx: OperationContext,
  mail: { to: string; subject: string; text: string; html?: string | null },
  about: About,
  route: { messageId: string | null; conversationId?: string | null } = { messageId: null },
): string {
  const smtp = { to: [mail.to], subject: mail.subject, text: mail.text, ...(mail.html && { html: mail.html }) };
  const router = ctx.runtime.find(mailboxRouter);
  if (!router) return queueMailDelivery(ctx.tx, smtp, ctx.now, about).deliveryId;
  // Whether a mailbox is connected takes a query: decided before commit, in the same transaction.
  const deliveryId = recordDelivery(
    ctx.tx,
    { channel: 'email', recipient: mail.to, subject: mail.subject, about },
    ctx.now,
  );
  ctx.tx.beforeCommit(async () => {
    const routed = { ...route, deliveryId, to: mail.to, subject: mail.subject, body: mail.text };
    if (await router.queue(ctx, routed)) return;
    ctx.tx.defer(queueMailStatement({ ...smtp, accountId: ctx.tx.accountId, deliveryId }, ctx.now));
  });
  return deliveryId;
}

export const emailAdapter: ChannelAdapter = {
  handOver(ctx, message) {
    const mail = { to: message.to, subject: message.subject ?? '(no subject)', text: message.body };
    const about = { collection: 'messages', id: message.messageId };
    return queueEmail(ctx, mail, about, { messageId: message.messageId, conversationId: message.conversationId });
  },
};

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
    return queueSms(ctx, {
      to,
      body: message.body,
      about: { collection: 'messages', id: message.messageId },
      messageId: message.messageId,
    });
  },
};

export const chatAdapter: ChannelAdapter = { handOver: () => null };

/** The adapter of each channel that can send; voice has none. */
export const CHANNEL_ADAPTERS: Partial<Record<Channel, ChannelAdapter>> = {
  email: emailAdapter,
  sms: smsAdapter,
  chat: chatAdapter,
};
