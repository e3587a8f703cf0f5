// Outgoing mail goes through an outbox table: whatever decides to send a mail inserts the row
// in its own transaction (so an alert and its mail commit together, or neither does), and the
// MailRelay hands committed rows to the transport. Nothing is lost if the transport is down:
// rows wait, and are retried with backoff.
import type { Logger } from 'pino';
import { PollingWorker } from '../platform/jobs/polling-worker.ts';
import { accountIsActive } from '../platform/active-account.ts';
import type { Database, Row } from '../db/database.ts';
import type { SqlStatement } from '../db/inline-parameters.ts';
import { systemQuery, systemTransaction } from '../db/system-query.ts';
import { newId } from '../platform/ids.ts';
import type { MailAttachment, MailTransport, OutgoingMail } from './mail-transport.ts';

export interface QueuedMail extends OutgoingMail {
  accountId: string | null;
  /** The account's record of this mail (a `deliveries` row), kept in step by the relay's outcome log. */
  deliveryId?: string;
}

/** The statement that queues a mail; run it in the transaction that decided to send it. */
export function queueMailStatement(mail: QueuedMail, now = new Date().toISOString(), id = newId('mail')): SqlStatement {
  const attachments = mail.attachments?.map(({ filename, contentType, content }) => ({
    filename,
    content_type: contentType,
    content_base64: content.toString('base64'),
  }));
  return {
    sql: `INSERT INTO mail_outbox (id, account_id, to_addresses, cc_addresses, subject, text_body, html_body,
                                   attachments, headers,
                                   delivery_id, attempts, next_attempt_at, created_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $11)`,
    parameters: [
      id,
      mail.accountId,
      mail.to,
      mail.cc?.length ? mail.cc : null,
      mail.subject,
      mail.text,
      mail.html ?? null,
      attachments ? JSON.stringify(attachments) : null,
      mail.headers ? JSON.stringify(mail.headers) : null,
      mail.deliveryId ?? null,
      now,
    ],
  };
}

/** What became of one try at an account's mail. */
export interface MailOutcome {
  mailId: string;
  /** Null: the mail was queued without a delivery record (the log makes one). */
  deliveryId: string | null;
  accountId: string;
  recipients: string[];
  subject: string;
  attempts: number;
  /**
   * `retrying`: refused this time, tried again later; `failed`: given up; `not_configured`: no
   * mail server, so the mail went to the log (development) and reached no one; `simulated`: the
   * account is a sandbox (test mode), so the mail was handed to no transport at all.
   */
  status: 'sent' | 'retrying' | 'failed' | 'not_configured' | 'simulated';
  providerId: string | null;
  error: string | null;
  at: string;
}

/** Statements that record an outcome (the delivery log's), committed with the outbox's own change. */
export type MailOutcomeLog = (outcome: MailOutcome) => Promise<SqlStatement[]>;

const attachmentsOf = (stored: { filename: string; content_type: string; content_base64: string }[] | null) =>
  stored?.map((a): MailAttachment => ({
    filename: a.filename,
    contentType: a.content_type,
    content: Buffer.from(a.content_base64, 'base64'),
  }));

/** Whether the row's account is a sandbox (test mode): its mail reaches no one (README "Test mode"). */
const SIMULATED = `coalesce((SELECT NOT a.livemode FROM accounts a WHERE a.id = mail_outbox.account_id), false)
  AS simulated`;

const MAX_ATTEMPTS = 12;
/** 30 s, 1 min, 2 min ... capped at 1 h: about half a day of tries before giving up. */
const retryDelayMs = (attempts: number) => Math.min(3_600_000, 30_000 * 2 ** (attempts - 1));

export class MailRelay {
  readonly #worker: PollingWorker;

  constructor(
    private readonly db: Database,
    private readonly transport: MailTransport,
    private readonly logger: Logger,
    private readonly options: { intervalMs?: number; batchSize?: number; outcomes?: MailOutcomeLog } = {},
  ) {
    this.#worker = new PollingWorker('mail relay', logger, options.intervalMs ?? 5_000, () =>
      this.#deliverDue(Date.now(), null),
    );
  }

  start(): void {
    this.#worker.start();
  }

  stop(): Promise<void> {
    return this.#worker.stop();
  }

  /**
   * Sends every due mail now (of `accountIds` only, when given: a test sharing its database with
   * other suites); returns how many were sent. Safe to run on several nodes at once.
   */
  deliver(now = Date.now(), accountIds?: readonly string[]): Promise<number> {
    return this.#worker.run(() => this.#deliverDue(now, accountIds ?? null));
  }

  async #outcome(
    row: Row,
    outcome: Pick<MailOutcome, 'status' | 'providerId' | 'error' | 'at'>,
  ): Promise<SqlStatement[]> {
    if (!row.account_id || !this.options.outcomes) return [];
    return this.options.outcomes({
      ...outcome,
      mailId: row.id,
      deliveryId: row.delivery_id ?? null,
      accountId: row.account_id,
      recipients: [...row.to_addresses, ...(row.cc_addresses ?? [])],
      subject: row.subject,
      attempts: row.attempts,
    });
  }

  /** A sandbox's mail (test mode): recorded as sent, handed to no transport. */
  async #simulate(row: Row): Promise<void> {
    const at = new Date().toISOString();
    await systemTransaction(this.db, [
      { sql: 'UPDATE mail_outbox SET sent_at = $2, last_error = NULL WHERE id = $1', parameters: [row.id, at] },
      ...(await this.#outcome(row, { status: 'simulated', providerId: null, error: null, at })),
    ]);
  }

  async #deliverDue(now: number, accountIds: readonly string[] | null): Promise<number> {
    let sent = 0;
    for (;;) {
      if (this.#worker.stopping) return sent; // the node shuts down: other nodes take the rest
      // Claiming pushes next_attempt_at forward, so another node skips these rows meanwhile.
      const claimed = await systemQuery(this.db, {
        sql: `UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = $2
              WHERE id IN (SELECT id FROM mail_outbox
                           WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
                             AND ($4::text[] IS NULL OR account_id = ANY ($4::text[]))
                             -- Mail of no account (signing people in) always goes.
                             AND (account_id IS NULL OR ${accountIsActive('mail_outbox.account_id')})
                           ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
              RETURNING id, account_id, to_addresses, cc_addresses, subject, text_body, html_body, attachments,
                        headers, delivery_id, attempts, ${SIMULATED}`,
        parameters: [
          new Date(now).toISOString(),
          new Date(now + 600_000).toISOString(),
          this.options.batchSize ?? 20,
          accountIds,
        ],
      });
      if (!claimed.length) return sent;
      for (const row of claimed) {
        if (row.simulated) {
          await this.#simulate(row);
          sent++;
          continue;
        }
        try {
          // The outbox id is the Message-ID: a mail sent again after a
          // crash (sent, not yet marked) is recognisably the same mail.
          const { providerId } = await this.transport.send({
            to: row.to_addresses,
            cc: row.cc_addresses ?? undefined,
            subject: row.subject,
            text: row.text_body,
            html: row.html_body,
            outboxId: row.id,
            attachments: attachmentsOf(row.attachments),
            headers: row.headers ?? undefined,
          });
          const at = new Date().toISOString();
          await systemTransaction(this.db, [
            { sql: 'UPDATE mail_outbox SET sent_at = $2, last_error = NULL WHERE id = $1', parameters: [row.id, at] },
            ...(await this.#outcome(row, {
              status: this.transport.name === 'log' ? 'not_configured' : 'sent',
              providerId,
              error: null,
              at,
            })),
          ]);
          sent++;
        } catch (error) {
          const message = String((error as Error).message ?? error).slice(0, 500);
          const giveUp = row.attempts >= MAX_ATTEMPTS;
          this.logger.warn({ mail: row.id, attempts: row.attempts, giveUp, error: message }, 'mail not sent');
          const at = new Date().toISOString();
          await systemTransaction(this.db, [
            {
              sql: `UPDATE mail_outbox SET last_error = $2, next_attempt_at = $3, failed_at = $4 WHERE id = $1`,
              parameters: [
                row.id,
                message,
                new Date(now + retryDelayMs(row.attempts)).toISOString(),
                giveUp ? at : null,
              ],
            },
            ...(await this.#outcome(row, {
              status: giveUp ? 'failed' : 'retrying',
              providerId: null,
              error: message,
              at,
            })),
          ]);
        }
      }
    }
  }
}
