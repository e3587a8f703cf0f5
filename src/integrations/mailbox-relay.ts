// The mailbox relay: sends what integration_mail_outbox holds through each account's connected
// mailbox (the connector's sendMail), one row at a time, claimed with FOR UPDATE SKIP LOCKED so
// several nodes share the work. A reply goes into the provider's thread of its conversation, with
// In-Reply-To and References naming the last message of it we know. The message's delivery follows
// (sent, or failed), and the sent message is linked to the provider's id, so the next sync of the
// mailbox recognises it instead of importing it again. 429 and outages are retried (at least
// once: an answer lost after the provider sent the mail means it may go twice).
import type { Logger } from 'pino';
import type { Row } from '../db/database.ts';
import type { SqlStatement } from '../db/inline-parameters.ts';
import { systemQuery, systemTransaction } from '../db/system-query.ts';
import { deliveryUpdateStatements } from '../delivery/delivery-log.ts';
import { PollingWorker } from '../platform/jobs/polling-worker.ts';
import { accountIsActive } from '../platform/active-account.ts';
import type { Runtime } from '../platform/contract.ts';
import type { MailboxMessage } from './connector.ts';
import { connectorOf } from './connectors.ts';
import { linkUpsertStatement } from './integration-links.ts';
import { integrationSettings } from './integration-settings.ts';
import { ProviderRateLimited, ProviderUnavailable } from './provider-api.ts';
import { connectionApi } from './token-store.ts';

const MAX_ATTEMPTS = 8;
/** 30 s, 1 min, 2 min ... capped at 1 h. */
const retryDelayMs = (attempts: number) => Math.min(3_600_000, 30_000 * 2 ** (attempts - 1));

/** Our Message-ID of a message we send, so replies to it find their conversation. */
export const messageIdHeader = (messageId: string, host = 'fieldline.invalid') => `<${messageId}@${host}>`;

export class MailboxRelay {
  readonly #worker: PollingWorker;

  constructor(
    private readonly runtime: Runtime,
    private readonly logger: Logger,
    intervalMs = 5_000,
  ) {
    this.#worker = new PollingWorker('mailbox relay', logger, intervalMs, () => this.#deliverDue(Date.now()));
  }

  start(): void {
    this.#worker.start();
  }

  stop(): Promise<void> {
    return this.#worker.stop();
  }

  nudge(): void {
    this.#worker.nudge();
  }

  /** Sends every due mail now (of `accountIds` only, when given); answers how many the providers accepted. */
  deliver(now = Date.now(), scope: { accountIds?: readonly string[] } = {}): Promise<number> {
    if (scope.accountIds) return this.#deliverDue(now, scope.accountIds);
    return this.#worker.run(() => this.#deliverDue(now));
  }

  async #deliverDue(now: number, accountIds?: readonly string[]): Promise<number> {
    let sent = 0;
    for (;;) {
      if (this.#worker.stopping) return sent;
      const [row] = await systemQuery(this.runtime.db, {
        sql: `UPDATE integration_mail_outbox SET attempts = attempts + 1, sending_at = $1
              WHERE id = (SELECT id FROM integration_mail_outbox
                           WHERE sent_at IS NULL AND failed_at IS NULL AND sending_at IS NULL AND next_attempt_at <= $1
                             AND ($2::text[] IS NULL OR account_id = ANY($2::text[]))
                             AND ${accountIsActive('integration_mail_outbox.account_id')}
                           ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
              RETURNING id, account_id, provider, message_id, delivery_id, to_address, subject, body, attempts`,
        parameters: [new Date(now).toISOString(), accountIds ?? null],
      });
      if (!row) return sent;
      if (await this.#send(row, now)) sent++;
    }
  }

  /** The provider's thread of the message's conversation, and the last message of it to reply to. */
  async #threading(row: Row): Promise<Pick<MailboxMessage, 'threadId' | 'inReplyTo' | 'references'>> {
    if (!row.message_id) return {};
    const [thread] = await systemQuery(this.runtime.db, {
      sql: `SELECT l.external_id, m.conversation_id FROM messages m
              LEFT JOIN integration_links l ON l.account_id = m.account_id AND l.provider = $3
                   AND l.collection = 'conversations' AND l.record_id = m.conversation_id
             WHERE m.account_id = $1 AND m.id = $2 LIMIT 1`,
      parameters: [row.account_id, row.message_id, row.provider],
    });
    if (!thread) return {};
    const [last] = await systemQuery(this.runtime.db, {
      sql: `SELECT l.metadata FROM integration_links l
              JOIN messages m ON m.account_id = l.account_id AND m.id = l.record_id
             WHERE l.account_id = $1 AND l.provider = $2 AND l.collection = 'messages' AND m.conversation_id = $3
               AND m.id <> $4
             ORDER BY m.created_at DESC, m.id DESC LIMIT 1`,
      parameters: [row.account_id, row.provider, thread.conversation_id, row.message_id],
    });
    const metadata = (typeof last?.metadata === 'string' ? JSON.parse(last.metadata) : last?.metadata) ?? {};
    const inReplyTo = typeof metadata.message_id_header === 'string' ? metadata.message_id_header : undefined;
    const earlier = Array.isArray(metadata.references)
      ? metadata.references.filter((r: unknown) => typeof r === 'string')
      : [];
    return {
      threadId: thread.external_id ?? undefined,
      inReplyTo,
      references: inReplyTo ? [...earlier.slice(-20), inReplyTo] : undefined,
    };
  }

  async #record(row: Row, statements: SqlStatement[], update: Parameters<typeof deliveryUpdateStatements>[3]) {
    const delivery = row.delivery_id
      ? await deliveryUpdateStatements(this.runtime.db, row.account_id, row.delivery_id, update)
      : [];
    await systemTransaction(this.runtime.db, [...statements, ...delivery]);
  }

  async #send(row: Row, now: number): Promise<boolean> {
    const at = () => new Date().toISOString();
    const connector = connectorOf(row.provider);
    try {
      if (!connector?.sendMail) throw new Error(`'${row.provider}' cannot send mail`);
      const threading = await this.#threading(row);
      const messageId = row.message_id ? messageIdHeader(row.message_id) : undefined;
      const sent = await connector.sendMail(
        connectionApi(this.runtime, row.account_id, connector),
        {
          to: row.to_address,
          subject: row.subject,
          text: row.body,
          messageId,
          ...threading,
        },
        integrationSettings(this.runtime),
      );
      const links: SqlStatement[] = [];
      if (row.message_id) {
        const metadata = {
          message_id_header: messageId,
          references: threading.references ?? [],
          thread_id: sent.threadId,
        };
        links.push(
          linkUpsertStatement(row.account_id, row.provider, {
            collection: 'messages',
            recordId: row.message_id,
            externalId: sent.externalId,
            metadata,
          }),
        );
        const [message] = await systemQuery(this.runtime.db, {
          sql: 'SELECT conversation_id FROM messages WHERE account_id = $1 AND id = $2',
          parameters: [row.account_id, row.message_id],
        });
        if (message && sent.threadId && !threading.threadId)
          links.push(
            linkUpsertStatement(row.account_id, row.provider, {
              collection: 'conversations',
              recordId: message.conversation_id,
              externalId: sent.threadId,
            }),
          );
      }
      await this.#record(
        row,
        [
          {
            sql: `UPDATE integration_mail_outbox SET sent_at = $2, external_id = $3, last_error = NULL WHERE id = $1`,
            parameters: [row.id, at(), sent.externalId],
          },
          ...links,
        ],
        { status: 'sent', attempts: row.attempts, providerId: sent.externalId, error: null, at: at() },
      );
      return true;
    } catch (error) {
      const message = String((error as Error).message ?? error).slice(0, 500);
      const retryable = error instanceof ProviderRateLimited || error instanceof ProviderUnavailable;
      const giveUp = !retryable || row.attempts >= MAX_ATTEMPTS;
      const delay = error instanceof ProviderRateLimited ? error.retryAfterMs : retryDelayMs(row.attempts);
      this.logger.warn(
        { mail: row.id, provider: row.provider, attempts: row.attempts, giveUp, error: message },
        'mailbox mail not sent',
      );
      await this.#record(
        row,
        [
          {
            sql: `UPDATE integration_mail_outbox SET sending_at = NULL, last_error = $2, next_attempt_at = $3,
                         failed_at = $4 WHERE id = $1`,
            parameters: [row.id, message, new Date(now + delay).toISOString(), giveUp ? at() : null],
          },
        ],
        { status: giveUp ? 'failed' : 'queued', attempts: row.attempts, error: message, at: at() },
      );
      return false;
    }
  }
}
