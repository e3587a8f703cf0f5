// The push relay: encrypts what the push outbox holds to each subscription's keys (RFC 8291,
// aes128gcm), signs it with the server's VAPID key (RFC 8292) and posts it to the browser's push
// service (RFC 8030), under the webhook target policy. A push is at-least-once: a claim a node
// died holding is taken again after CLAIM_TIMEOUT_MS. The push service's answer decides:
//   201/2xx: sent;  404/410: the browser unsubscribed, so the subscription is removed;
//   429, 5xx, no answer: retried with backoff (Retry-After honoured);  any other 4xx: failed.
import type { Logger } from 'pino';
import type { Row } from '../../db/database.ts';
import type { SqlStatement } from '../../db/inline-parameters.ts';
import { systemQuery, systemTransaction } from '../../db/system-query.ts';
import { platformEventStatement } from '../../platform/events/platform-events.ts';
import { serialize } from '../../platform/operations/serialize.ts';
import { openWriteOnlyField } from '../../platform/operations/write-only-fields.ts';
import type { Runtime } from '../../platform/contract.ts';
import { guardedPost, type PostOutcome } from '../../webhooks/guarded-post.ts';
import { PollingWorker } from '../../platform/jobs/polling-worker.ts';
import { accountIsActive } from '../../platform/active-account.ts';
import { deliveryUpdateStatements, type DeliveryUpdate } from '../delivery-log.ts';
import { webPush, type VapidKeyStore } from './vapid-keys.ts';

const MAX_ATTEMPTS = 6;
/** 30 s, 1 min, 2 min ... capped at 1 h. */
const retryDelayMs = (attempts: number) => Math.min(3_600_000, 30_000 * 2 ** (attempts - 1));
/** A claim older than this belongs to a node that died: the push is taken again. */
export const CLAIM_TIMEOUT_MS = 600_000;
/** How long a push service keeps a push for a device that is offline. */
const TIME_TO_LIVE_SECONDS = 24 * 3600;

export interface PushRelayOptions {
  allowPrivate: boolean;
  intervalMs?: number;
  batchSize?: number;
  timeoutMs?: number;
}

export class PushRelay {
  readonly #worker: PollingWorker;

  constructor(
    private readonly runtime: Pick<Runtime, 'db' | 'secrets' | 'registry'>,
    private readonly logger: Logger,
    private readonly vapid: VapidKeyStore,
    private readonly options: PushRelayOptions,
  ) {
    this.#worker = new PollingWorker('push relay', logger, options.intervalMs ?? 5_000, () =>
      this.#deliverDue(Date.now()),
    );
  }

  start(): void {
    this.#worker.start();
  }

  stop(): Promise<void> {
    return this.#worker.stop();
  }

  /** After a push is queued: a started relay sends now (a stopped one, in tests, waits to be asked). */
  nudge(): void {
    this.#worker.nudge();
  }

  /** Sends every due push now (of the given accounts only, when named); answers how many were accepted. */
  deliver(now = Date.now(), accountIds?: readonly string[]): Promise<number> {
    return this.#worker.run(() => this.#deliverDue(now, accountIds));
  }

  async #deliverDue(now: number, accountIds?: readonly string[]): Promise<number> {
    const subscriptions = this.runtime.registry.get('push-subscriptions').table;
    let sent = 0;
    for (;;) {
      if (this.#worker.stopping) return sent; // the node shuts down: other nodes take the rest
      const claimed = await systemQuery(this.runtime.db, {
        sql: `UPDATE push_outbox o SET attempts = o.attempts + 1, sending_at = $1
                FROM push_outbox due LEFT JOIN ${subscriptions} s
                  ON s.account_id = due.account_id AND s.id = due.subscription_id
               WHERE o.id = due.id AND due.id IN (
                       SELECT id FROM push_outbox
                        WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
                          AND (sending_at IS NULL OR sending_at < $2)
                          AND ($4::text[] IS NULL OR account_id = ANY($4::text[]))
                          AND ${accountIsActive('push_outbox.account_id')}
                        ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
              RETURNING o.id, o.account_id, o.delivery_id, o.payload, o.attempts, o.subscription_id,
                        s.endpoint, s.p256dh, s.auth,
                        coalesce((SELECT NOT a.livemode FROM accounts a WHERE a.id = o.account_id), false)
                          AS simulated`,
        parameters: [
          new Date(now).toISOString(),
          new Date(now - CLAIM_TIMEOUT_MS).toISOString(),
          this.options.batchSize ?? 20,
          accountIds ?? null,
        ],
      });
      if (!claimed.length) return sent;
      for (const row of claimed) if (await this.#send(row, now)) sent++;
    }
  }

  async #send(row: Row, now: number): Promise<boolean> {
    if (row.simulated) {
      // A sandbox's push (test mode, README "Test mode"): recorded as sent, handed to no push service.
      await this.#settle(row, { status: 'simulated', error: null });
      return true;
    }
    if (!row.endpoint) {
      await this.#settle(row, { status: 'failed', error: 'The subscription was removed before the push was sent' });
      return false;
    }
    const vapid = await this.vapid.keys();
    const subscription = {
      endpoint: row.endpoint,
      keys: { p256dh: row.p256dh, auth: openWriteOnlyField(row.auth, this.runtime.secrets)! },
    };
    const request = webPush().generateRequestDetails(subscription, row.payload, {
      vapidDetails: vapid,
      TTL: TIME_TO_LIVE_SECONDS,
      contentEncoding: 'aes128gcm',
    });
    const outcome = await guardedPost(
      request.endpoint,
      { headers: request.headers as Record<string, string>, body: request.body as unknown as Buffer },
      { allowPrivate: this.options.allowPrivate, timeoutMs: this.options.timeoutMs },
    );
    return this.#record(row, outcome, now);
  }

  async #record(row: Row, outcome: PostOutcome, now: number): Promise<boolean> {
    if (outcome.ok) {
      await this.#settle(row, { status: 'sent', providerId: outcome.location?.slice(0, 200) ?? null, error: null }, [
        {
          sql: `UPDATE ${this.runtime.registry.get('push-subscriptions').table} SET last_success_at = $3
                 WHERE account_id = $1 AND id = $2`,
          parameters: [row.account_id, row.subscription_id, new Date().toISOString()],
        },
      ]);
      return true;
    }
    const error = `The push service ${outcome.httpStatus ? `answered ${outcome.httpStatus}` : outcome.error}`;
    if (outcome.httpStatus === 404 || outcome.httpStatus === 410) {
      await this.#settle(row, { status: 'failed', error: `${error}: the browser unsubscribed; removed` }, [
        ...(await this.#removeSubscription(row.account_id, row.subscription_id)),
      ]);
      return false;
    }
    const status = outcome.httpStatus ?? 0;
    const retryable = status === 0 || status === 429 || status >= 500;
    if (!retryable || row.attempts >= MAX_ATTEMPTS) {
      await this.#settle(row, {
        status: 'failed',
        error: `${error}${outcome.responseBody ? `: ${outcome.responseBody}` : ''}`,
      });
      return false;
    }
    const delay = Math.max(retryDelayMs(row.attempts), (outcome.retryAfterSeconds ?? 0) * 1000);
    this.logger.warn({ push: row.id, attempts: row.attempts, error }, 'push not sent; retrying');
    await this.#settle(row, { status: 'queued', error }, [], new Date(now + delay).toISOString());
    return false;
  }

  /** The outbox row and its delivery, in one transaction, with `more` (a removed subscription). */
  async #settle(
    row: Row,
    update: Omit<DeliveryUpdate, 'at' | 'attempts'>,
    more: SqlStatement[] = [],
    retryAt?: string,
  ): Promise<void> {
    const at = new Date().toISOString();
    const outbox: SqlStatement = retryAt
      ? {
          sql: 'UPDATE push_outbox SET sending_at = NULL, next_attempt_at = $2, last_error = $3 WHERE id = $1',
          parameters: [row.id, retryAt, update.error ?? null],
        }
      : {
          sql: `UPDATE push_outbox SET ${['sent', 'simulated'].includes(update.status) ? 'sent_at' : 'failed_at'} = $2,
                   last_error = $3
                 WHERE id = $1`,
          parameters: [row.id, at, update.error ?? null],
        };
    const delivery = await deliveryUpdateStatements(this.runtime.db, row.account_id, row.delivery_id, {
      ...update,
      attempts: row.attempts,
      at,
    });
    await systemTransaction(this.runtime.db, [outbox, ...delivery, ...more]);
  }

  /** Deleting a subscription the push service says is gone, with its `push_subscription.deleted` event. */
  async #removeSubscription(accountId: string, id: string): Promise<SqlStatement[]> {
    const resource = this.runtime.registry.get('push-subscriptions');
    const [subscription] = await systemQuery(this.runtime.db, {
      sql: `SELECT ${resource.selectColumns.join(', ')} FROM ${resource.table} WHERE account_id = $1 AND id = $2`,
      parameters: [accountId, id],
    });
    if (!subscription) return [];
    return [
      { sql: `DELETE FROM ${resource.table} WHERE account_id = $1 AND id = $2`, parameters: [accountId, id] },
      platformEventStatement(
        accountId,
        'push_subscription.deleted',
        serialize(resource, subscription),
        new Date().toISOString(),
      ),
    ];
  }
}
