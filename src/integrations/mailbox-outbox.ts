// Mail that leaves through a connected mailbox (a connector with `sendMail`): queued in
// integration_mail_outbox in the transaction that stores its message, sent after commit by the
// mailbox relay (mailbox-relay.ts). Email conversations use the account's connected mailbox when
// it has one (the MailboxRouter hook of src/messaging/channel-adapters.ts); a mailbox that needs
// reconnecting is passed over, and the mail goes by SMTP as it would without one.
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

/** The account's mailbox email conversations send through: the first connected, if any. */
export async function connectedMailbox(tx: TenantTransaction, provider?: string): Promise<string | undefined> {
  const providers = provider ? [provider] : MAILBOX_PROVIDERS;
  if (providers.length === 0) return undefined;
  const [row] = await tx.query<{ provider: string }>({
    sql: `SELECT provider FROM integrations WHERE account_id = $1 AND provider = ANY($2::text[])
             AND status IN ('connected', 'error') ORDER BY connected_at LIMIT 1`,
    parameters: [tx.accountId, providers],
  });
  return row?.provider;
}

/** The hook messages/send uses: queue in the connected mailbox, when there is one. */
export function mailboxRouterFor(nudge: () => void): MailboxRouter {
  return {
    async queue(ctx, message) {
      const provider = await connectedMailbox(ctx.tx);
      if (!provider) return false;
      ctx.tx.defer(
        mailboxMailStatement(
          ctx.tx.accountId,
          {
            provider,
            messageId: message.messageId,
            deliveryId: message.deliveryId,
            to: message.to,
            subject: message.subject ?? '(no subject)',
            body: message.body,
          },
          ctx.now,
        ),
      );
      ctx.tx.afterCommit(async () => nudge());
      return true;
    },
  };
}
