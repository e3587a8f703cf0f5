// The SMS relay: hands what the SMS outbox holds to the provider, and keeps each message's
// delivery in step. A row is claimed (marked `sending`, committed) just before the provider is
// called, one at a time so a node that dies leaves only the text it was sending in doubt, and a
// text is never sent twice: a node that dies mid-call leaves the row in doubt, and
// the provider's status callback for it (its URL names the row) settles it; rows still in doubt
// after an hour fail, for a person to check. Refusals that cannot have reached the provider
// (an error status, a refused connection) are retried with backoff.
import type { Logger } from 'pino';
import type { Database, Row } from '../../db/database.ts';
import type { SqlStatement } from '../../db/inline-parameters.ts';
import { systemQuery, systemTransaction } from '../../db/system-query.ts';
import { PollingWorker } from '../../platform/jobs/polling-worker.ts';
import { accountIsActive } from '../../platform/active-account.ts';
import { deliveryUpdateStatements } from '../delivery-log.ts';
import { SmsRefused, type SmsProvider } from './sms-provider.ts';
import { refundStatement } from '../../credits/credit-ledger.ts';
import { UNSUBSCRIBED_RECIPIENT_CODE, type SmsConsent } from './sms-consent.ts';

const MAX_ATTEMPTS = 8;
/** 30 s, 1 min, 2 min ... capped at 1 h. */
const retryDelayMs = (attempts: number) => Math.min(3_600_000, 30_000 * 2 ** (attempts - 1));
/** How long a row may stay in doubt before it fails (a status callback settles it before). */
export const IN_DOUBT_MS = 3_600_000;
/** Errors that happen before a request leaves: the provider cannot have the message. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Whether the provider may have the message although no answer said so (a timeout, a broken connection). */
function inDoubt(error: unknown): boolean {
  if (error instanceof SmsRefused) return false;
  const name = (error as Error).name;
  if (name === 'TimeoutError' || name === 'AbortError') return true;
  // fetch fails with a TypeError on the network; its cause says where.
  if (error instanceof TypeError)
    return !NOT_SENT_CODES.has((error as { cause?: { code?: string } }).cause?.code ?? '');
  return false; // an answer with an error status: the provider did not take it
}

export interface SmsRelayOptions {
  /** Null: no provider is configured; texts wait in the outbox. */
  provider: SmsProvider | null;
  /** The status callback URL of an outbox row. */
  callbackUrl(outboxId: string): string;
  /** Where a provider's "recipient unsubscribed" refusal goes (src/delivery/sms/sms-consent.ts). */
  consent?: () => SmsConsent | undefined;
  intervalMs?: number;
}

export class SmsRelay {
  readonly #worker: PollingWorker;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly options: SmsRelayOptions,
  ) {
    this.#worker = new PollingWorker('SMS relay', logger, options.intervalMs ?? 5_000, () =>
      this.#deliverDue(Date.now()),
    );
  }

  start(): void {
    if (this.options.provider) this.#worker.start();
  }

  stop(): Promise<void> {
    return this.#worker.stop();
  }

  /** Sends every due text now; answers how many the provider accepted. Safe on several nodes at once. */
  deliver(now = Date.now()): Promise<number> {
    if (!this.options.provider) return Promise.resolve(0);
    return this.#worker.run(() => this.#deliverDue(now));
  }

  async #record(
    row: Row,
    outbox: SqlStatement,
    update: Parameters<typeof deliveryUpdateStatements>[3],
    also: SqlStatement[] = [],
  ) {
    const statements = row.delivery_id
      ? await deliveryUpdateStatements(this.db, row.account_id, row.delivery_id, update)
      : [];
    await systemTransaction(this.db, [outbox, ...statements, ...also]);
  }

  async #deliverDue(now: number): Promise<number> {
    await this.#failStaleDoubts(now);
    let sent = 0;
    for (;;) {
      if (this.#worker.stopping) return sent; // the node shuts down: other nodes take the rest
      const [row] = await systemQuery(this.db, {
        sql: `UPDATE sms_outbox SET attempts = attempts + 1, sending_at = $1
              WHERE id = (SELECT id FROM sms_outbox
                           WHERE sent_at IS NULL AND failed_at IS NULL AND sending_at IS NULL AND next_attempt_at <= $1
                             AND ${accountIsActive('sms_outbox.account_id')}
                           ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
              RETURNING id, account_id, delivery_id, to_number, body, attempts,
                        coalesce((SELECT NOT a.livemode FROM accounts a WHERE a.id = sms_outbox.account_id), false)
                          AS simulated`,
        parameters: [new Date(now).toISOString()],
      });
      if (!row) return sent;
      if (await this.#send(row, now)) sent++;
    }
  }

  async #send(row: Row, now: number): Promise<boolean> {
    const at = () => new Date().toISOString();
    if (row.simulated) {
      // A sandbox's text (test mode, README "Test mode"): recorded as sent, handed to no provider.
      await this.#record(
        row,
        { sql: 'UPDATE sms_outbox SET sent_at = $2, last_error = NULL WHERE id = $1', parameters: [row.id, at()] },
        { status: 'simulated', attempts: row.attempts, error: null, at: at() },
      );
      return true;
    }
    try {
      const { providerId } = await this.options.provider!.send({
        to: row.to_number,
        body: row.body,
        statusCallback: this.options.callbackUrl(row.id),
      });
      await this.#record(
        row,
        {
          sql: `UPDATE sms_outbox SET sent_at = $2, provider_id = $3, last_error = NULL
                 WHERE id = $1 AND sent_at IS NULL`,
          parameters: [row.id, at(), providerId],
        },
        { status: 'sent', attempts: row.attempts, providerId, error: null, at: at() },
      );
      return true;
    } catch (error) {
      const message = String((error as Error).message ?? error).slice(0, 500);
      if (inDoubt(error)) {
        // It may have reached the provider: never sent again; its status callback settles it.
        this.logger.warn({ sms: row.id, error: message }, 'SMS outcome unknown; waiting for its status callback');
        await systemQuery(this.db, {
          sql: 'UPDATE sms_outbox SET last_error = $2 WHERE id = $1',
          parameters: [row.id, message],
        });
        return false;
      }
      const giveUp = error instanceof SmsRefused || row.attempts >= MAX_ATTEMPTS;
      this.logger.warn({ sms: row.id, attempts: row.attempts, giveUp, error: message }, 'SMS not sent');
      await this.#record(
        row,
        {
          sql: `UPDATE sms_outbox SET sending_at = NULL, last_error = $2, next_attempt_at = $3, failed_at = $4
                 WHERE id = $1`,
          parameters: [row.id, message, new Date(now + retryDelayMs(row.attempts)).toISOString(), giveUp ? at() : null],
        },
        { status: giveUp ? 'failed' : 'queued', attempts: row.attempts, error: message, at: at() },
        // The provider never took it: the credits it was paid with go back, with the failure.
        giveUp ? [refundStatement(row.account_id, row.id, 'sms', 'system', at())] : [],
      );
      if (error instanceof SmsRefused && error.code === UNSUBSCRIBED_RECIPIENT_CODE)
        await this.options.consent?.()?.recipientUnsubscribed(row.account_id, row.to_number);
      return false;
    }
  }

  /** Rows in doubt past IN_DOUBT_MS, with no word from the provider: failed, for a person to check. */
  async #failStaleDoubts(now: number): Promise<void> {
    const stale = await systemQuery(this.db, {
      sql: `SELECT id, account_id, delivery_id, attempts FROM sms_outbox
             WHERE sending_at < $1 AND sent_at IS NULL AND failed_at IS NULL LIMIT 100`,
      parameters: [new Date(now - IN_DOUBT_MS).toISOString()],
    });
    const error = 'No answer from the SMS provider and no status callback: check with the provider whether it was sent';
    for (const row of stale) {
      const at = new Date().toISOString();
      await this.#record(
        row,
        { sql: 'UPDATE sms_outbox SET failed_at = $2, last_error = $3 WHERE id = $1', parameters: [row.id, at, error] },
        { status: 'failed', attempts: row.attempts, error, at },
      );
    }
  }
}
