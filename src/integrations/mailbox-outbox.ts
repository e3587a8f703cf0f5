// Mail that leaves through a connected mailbox (a connector with `sendMail`): queued in
// integration_mail_outbox in the transaction that stores its message, sent after commit by the
// mailbox relay (mailbox-relay.ts). Email uses the account's connected mailbox when it has one (the
// MailboxRouter hook of src/messaging/channel-adapters.ts): a conversation imported from a mailbox
// replies through that mailbox (in its thread); anything else (a new conversation, an automation's
// send_message) goes through the default mailbox, the first connected. A mailbox that needs
// reconnecting is passed over; with none connected the mail goes by SMTP as it would without one.
import type { SqlStatement } from '../db/inline-parameters.ts';
import type { TenantTransaction } from '../db/tenant-transaction.ts';
import { newId } from '../platform/ids.ts';
import type { MailboxRouter } from '../messaging/channel-adapters.ts';
import { CONNECTORS } from './connectors.ts';

/** Providers whose connector sends mail. */
export const MAILBOX_PROVIDERS = CONNECTORS.filter((connector) => connector.sendMail).map((c) => c.provider);

export interface QueuedMailboxMail {
  provider: string;
  messageId: string | null;
  deliveryId: string | null;
  to: string;
  subject: string;
  body: string;
}

export function mailboxMailStatement(accountId: string, mail: QueuedMailboxMail, now: string): SqlStatement {
  return {
    sql: `INSERT INTO integration_mail_outbox (id, account_id, provider, message_id, delivery_id, to_address, subject,
                                               body, attempts, next_attempt_at, created_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $9)`,
    parameters: [
      newId('imo'),
      accountId,
      mail.provider,
      mail.messageId,
      mail.deliveryId,
      mail.to,
      mail.subject.slice(0, 998),
      mail.body,
      now,
    ],
  };
}

/** A connected mailbox of the account: `provider`'s if given, else the default (the first connected). */
export async function connectedMailbox(tx: TenantTransaction, provider?: string): Promise<string | undefined> {
  return mailboxFor(tx, null, provider ? [provider] : MAILBOX_PROVIDERS);
}

/**
 * The mailbox an email of `conversationId` sends through: the connected mailbox the conversation
 * is linked to (it was imported from it, or first answered through it), the earliest link first;
 * else the account's default mailbox, the first connected (`connected_at`). A mailbox that needs
 * reconnecting is passed over. Only the account's own connections count (the relay sends with
 * the account's tokens; a member's connection is theirs). Undefined: none, the mail goes by SMTP.
 */
export async function mailboxFor(
  tx: TenantTransaction,
  conversationId: string | null,
  providers: readonly string[] = MAILBOX_PROVIDERS,
): Promise<string | undefined> {
  if (providers.length === 0) return undefined;
  const [row] = await tx.query<{ provider: string }>({
    sql: `SELECT i.provider FROM integrations i
           WHERE i.account_id = $1 AND i.provider = ANY($2::text[]) AND i.status IN ('connected', 'error')
             AND i.member_id IS NULL
           ORDER BY (SELECT min(l.created_at) FROM integration_links l
                      WHERE l.account_id = i.account_id AND l.provider = i.provider
                        AND l.collection = 'conversations' AND l.record_id = $3) NULLS LAST,
                    i.connected_at, i.provider
           LIMIT 1`,
    parameters: [tx.accountId, providers, conversationId],
  });
  return row?.provider;
}

/** The conversation of a stored message (the router is handed a message without its conversation). */
async function conversationOfMessage(tx: TenantTransaction, messageId: string | null): Promise<string | null> {
  if (!messageId) return null;
  const [row] = await tx.query<{ conversation_id: string }>({
    sql: 'SELECT conversation_id FROM messages WHERE account_id = $1 AND id = $2',
    parameters: [tx.accountId, messageId],
  });
  return row?.conversation_id ?? null;
}

/** The hook email sending uses: queue in the conversation's (or the default) mailbox, when there is one. */
export function mailboxRouterFor(nudge: () => void): MailboxRouter {
  return {
    async queue(ctx, mail) {
      const conversationId = mail.conversationId ?? (await conversationOfMessage(ctx.tx, mail.messageId));
      const provider = await mailboxFor(ctx.tx, conversationId);
      if (!provider) return false;
      ctx.tx.defer(
        mailboxMailStatement(
          ctx.tx.accountId,
          {
            provider,
            messageId: mail.messageId,
            deliveryId: mail.deliveryId,
            to: mail.to,
            subject: mail.subject ?? '(no subject)',
            body: mail.body,
          },
          ctx.now,
        ),
      );
      ctx.tx.afterCommit(async () => nudge());
      return true;
    },
  };
}
