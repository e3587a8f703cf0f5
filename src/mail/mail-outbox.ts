// Outgoing mail goes through an outbox table: whatever decides to send a mail inserts the row
// in its own transaction (so an alert and its mail commit together, or neither does), and the
// MailRelay hands committed rows to the transport. Nothing is lost if the transport is down:
// rows wait, and are retried with backoff.
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { SqlStatement } from '../db/inline-parameters.ts';
import { systemQuery } from '../db/system-query.ts';
import { newId } from '../platform/ids.ts';
import type { MailTransport, OutgoingMail } from './mail-transport.ts';

export interface QueuedMail extends OutgoingMail {
  accountId: string | null;
}

/** The statement that queues a mail; run it in the transaction that decided to send it. */
export function queueMailStatement(mail: QueuedMail, now = new Date().toISOString(), id = newId('mail')): SqlStatement {
  return {
    sql: `INSERT INTO mail_outbox (id, account_id, to_addresses, subject, text_body, html_body, attempts, next_attempt_at, created_at)
          VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7)`,
    parameters: [id, mail.accountId, mail.to, mail.subject, mail.text, mail.html ?? null, now],
  };
}

const MAX_ATTEMPTS = 12;
/** 30 s, 1 min, 2 min ... capped at 1 h: about half a day of tries before giving up. */
const retryDelayMs = (attempts: number) => Math.min(3_600_000, 30_000 * 2 ** (attempts - 1));

export class MailRelay {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;

  constructor(
    private readonly db: Database,
    private readonly transport: MailTransport,
    private readonly logger: Logger,
    private readonly options: { intervalMs?: number; batchSize?: number } = {},
  ) {}

  start(): void {
    this.#timer = setInterval(
      () => void this.deliver().catch((err) => this.logger.warn({ err }, 'mail relay failed')),
      this.options.intervalMs ?? 5_000,
    );
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  /** Sends every due mail now; returns how many were sent. Safe to run on several nodes at once. */
  deliver(now = Date.now()): Promise<number> {
    this.#running ??= this.#deliverDue(now).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #deliverDue(now: number): Promise<number> {
    let sent = 0;
    for (;;) {
      // Claiming pushes next_attempt_at forward, so another node skips these rows meanwhile.
      const claimed = await systemQuery(this.db, {
        sql: `UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = $2
              WHERE id IN (SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
                           ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
              RETURNING id, to_addresses, subject, text_body, html_body, attempts`,
        parameters: [new Date(now).toISOString(), new Date(now + 600_000).toISOString(), this.options.batchSize ?? 20],
      });
      if (!claimed.length) return sent;
      for (const row of claimed) {
        try {
          // The outbox id is the Message-ID: a mail sent again after a crash (sent, not yet marked) is recognisably the same mail.
          await this.transport.send({
            to: row.to_addresses,
            subject: row.subject,
            text: row.text_body,
            html: row.html_body,
            outboxId: row.id,
          });
          await systemQuery(this.db, {
            sql: 'UPDATE mail_outbox SET sent_at = $2, last_error = NULL WHERE id = $1',
            parameters: [row.id, new Date().toISOString()],
          });
          sent++;
        } catch (error) {
          const message = String((error as Error).message ?? error).slice(0, 500);
          const giveUp = row.attempts >= MAX_ATTEMPTS;
          this.logger.warn({ mail: row.id, attempts: row.attempts, giveUp, error: message }, 'mail not sent');
          await systemQuery(this.db, {
            sql: `UPDATE mail_outbox SET last_error = $2, next_attempt_at = $3, failed_at = $4 WHERE id = $1`,
            parameters: [
              row.id,
              message,
              new Date(now + retryDelayMs(row.attempts)).toISOString(),
              giveUp ? new Date().toISOString() : null,
            ],
          });
        }
      }
    }
  }
}
