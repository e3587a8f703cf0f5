// Workers that deliver queued webhooks. A round claims due rows with FOR UPDATE SKIP LOCKED
// and a lease (so several workers, on one node or many, never send the same row at the same
// time), sends them concurrently, and records each outcome in one transaction: the attempt in
// the delivery log, the row's next state, and what the endpoint's health implies. A worker
// that dies after claiming loses its lease, and the row is sent again: at least once.
// Rounds start on NOTIFY from the queueing trigger, and every second regardless. Each event's
// first attempt at an endpoint counts against the account's monthly delivery quota (retries do
// not); past the quota, deliveries wait, queued, for the next month instead of being dropped.
import type { Logger } from 'pino';
import type { Database, Row } from '../db/database.ts';
import { systemQuery, systemTransaction } from '../db/system-query.ts';
import type { SqlStatement } from '../db/inline-parameters.ts';
import { newId } from '../platform/ids.ts';
import { accountIsActive } from '../platform/active-account.ts';
import { API_VERSION } from '../platform/openapi/build-openapi.ts';
import { insertRow } from '../platform/operations/row-statements.ts';
import { serialize } from '../platform/operations/serialize.ts';
import type { SecretBox } from '../platform/secret-box.ts';
import { sendWebhook, type DeliveryOutcome } from './webhook-sender.ts';
import { retryDelaySeconds } from './retry-schedule.ts';
import { endpointHealthStatements } from './endpoint-health.ts';
import type { ClaimedDelivery } from './claimed-delivery.ts';
import { WEBHOOK_CHANNEL } from './webhook-schema.ts';
import type { ResourceDefinition } from '../platform/contract.ts';
import { nextPeriodStart, type MonthlyQuota } from '../limits/monthly-quota.ts';
import { planFromRow, planOfAccountSql } from '../billing/plan-rows.ts';

export interface DispatcherOptions {
  allowPrivate: boolean;
  secrets: SecretBox;
  logger: Logger;
  /** The clock for schedules and leases (tests move it). */
  now?: () => number;
  batchSize?: number;
  leaseMs?: number;
  pollMs?: number;
  timeoutMs?: number;
  /** Only these accounts' deliveries (a test's worker sharing a database with other suites). */
  accountIds?: string[];
  /** The accounts' monthly webhook delivery quota; without it deliveries are not counted. */
  quota?: MonthlyQuota;
  /** The resources it writes and reports: endpoints (disabled after failing) and the delivery log. */
  resources: { endpoints: ResourceDefinition; deliveries: ResourceDefinition };
}

const CLAIMED_COLUMNS = `q.account_id, q.event_id, q.endpoint_id, q.attempts, q.first_attempt_at,
  q.updated_at AS claimed_at, q.locked_until AS lease, ev.type, ev.data,
  ev.created_at AS event_created_at, e.url, e.api_version, e.failing_since, ${planOfAccountSql('a')} AS plan,
  a.livemode,
  ARRAY(SELECT s.secret_sealed FROM webhook_endpoint_secrets s
         WHERE s.endpoint_id = e.id AND (s.expires_at IS NULL OR s.expires_at > $1)
         ORDER BY s.created_at DESC) AS secrets`;

/** Accounts served per round; the next round goes on after the last (every account gets its turn). */
const ACCOUNTS_PER_ROUND = 32;

/**
 * One round's claim, in one statement. `waiting`: the accounts with pending deliveries in id order
 * after $4, a skip scan of the pending index (one probe per account however many rows it holds);
 * `round`: the first ACCOUNTS_PER_ROUND of them with a delivery due now; `due`: each of those
 * accounts' oldest due rows of live, enabled endpoints, an equal share of the batch ($2), skipping
 * rows another worker holds. So one account's burst cannot hold back another account's next event.
 */
const CLAIM_DUE = `WITH RECURSIVE waiting(account_id) AS (
    (SELECT account_id FROM webhook_queue
      WHERE status = 'pending' AND account_id > $4 AND ($5::text[] IS NULL OR account_id = ANY ($5::text[]))
      ORDER BY account_id LIMIT 1)
    UNION ALL
    SELECT (SELECT q.account_id FROM webhook_queue q
             WHERE q.status = 'pending' AND q.account_id > w.account_id
               AND ($5::text[] IS NULL OR q.account_id = ANY ($5::text[]))
             ORDER BY q.account_id LIMIT 1)
      FROM waiting w WHERE w.account_id IS NOT NULL),
  round AS (
    SELECT w.account_id FROM waiting w
     WHERE w.account_id IS NOT NULL
       -- A suspended or closed account's deliveries wait, queued, until it is resumed.
       AND ${accountIsActive('w.account_id')}
       AND EXISTS (
       SELECT 1 FROM webhook_queue q
        WHERE q.account_id = w.account_id AND q.status = 'pending' AND q.next_attempt_at <= $1
          AND (q.locked_until IS NULL OR q.locked_until <= $1))
     LIMIT ${ACCOUNTS_PER_ROUND}),
  due AS (
    SELECT d.event_id, d.endpoint_id, d.account_id FROM round CROSS JOIN LATERAL (
      SELECT q.event_id, q.endpoint_id, q.account_id FROM webhook_queue q
        JOIN webhook_endpoints e ON e.id = q.endpoint_id AND e.account_id = q.account_id
       WHERE q.account_id = round.account_id AND q.status = 'pending' AND q.next_attempt_at <= $1
         AND (q.locked_until IS NULL OR q.locked_until <= $1) AND e.status = 'enabled' AND e.deleted_at IS NULL
       ORDER BY q.next_attempt_at, q.event_id LIMIT ceil($2::numeric / (SELECT count(*) FROM round))::int
       FOR UPDATE OF q SKIP LOCKED) d)
  UPDATE webhook_queue q SET locked_until = $3, attempts = q.attempts + 1,
    first_attempt_at = coalesce(q.first_attempt_at, $1), updated_at = $1
    FROM due
    -- Each event by its key: estimating a few rows due, the planner would otherwise read the
    -- account's events by account and filter them, every one of them for each row (bench/README.md).
    CROSS JOIN LATERAL (SELECT type, data, created_at FROM events
                         WHERE id = due.event_id AND account_id = due.account_id OFFSET 0) ev,
      webhook_endpoints e, accounts a
   WHERE q.event_id = due.event_id AND q.endpoint_id = due.endpoint_id
     AND e.id = q.endpoint_id AND e.account_id = q.account_id AND a.id = q.account_id
  RETURNING ${CLAIMED_COLUMNS}, (SELECT count(*) FROM round)::int AS round_accounts,
    (SELECT max(account_id) FROM round) AS round_last`;

/** One row by key, whenever it is due (the test action's delivery). */
const CLAIM_ONE = `UPDATE webhook_queue q SET locked_until = $3, attempts = q.attempts + 1,
    first_attempt_at = coalesce(q.first_attempt_at, $1), updated_at = $1
    FROM events ev, webhook_endpoints e, accounts a
   WHERE q.event_id = $4 AND q.endpoint_id = $5 AND q.status = 'pending'
     AND (q.locked_until IS NULL OR q.locked_until <= $1)
     AND ev.id = q.event_id AND ev.account_id = q.account_id AND e.id = q.endpoint_id AND e.account_id = q.account_id
       AND a.id = q.account_id AND a.status = 'active'
  RETURNING ${CLAIMED_COLUMNS}`;

export class WebhookDispatcher {
  readonly #db: Database;
  readonly #options: DispatcherOptions;
  #timer: NodeJS.Timeout | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #running: Promise<number> | undefined;
  #again = false;
  /** Until start(): rounds run only when drain() is called (tests drive them). */
  #stopped = true;
  /** Set by stop(): a round claims no further batch (the node shuts down; other nodes take the rest). */
  #stopping = false;
  /** Where the next round's accounts start: after the last one served ('' from the first). */
  #afterAccount = '';

  constructor(db: Database, options: DispatcherOptions) {
    this.#db = db;
    this.#options = options;
  }

  /** http:// and private addresses are allowed as endpoint URLs (tests, local development). */
  get allowPrivate(): boolean {
    return this.#options.allowPrivate;
  }

  /** Seals and opens the endpoints' signing secrets. */
  get secrets(): SecretBox {
    return this.#options.secrets;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  async start(): Promise<void> {
    this.#stopped = false;
    this.#stopping = false;
    this.#timer = setInterval(() => this.wake(), this.#options.pollMs ?? 1_000);
    this.#timer.unref();
    this.#unlisten = await this.#db
      .listen(WEBHOOK_CHANNEL, () => this.wake())
      .catch((err) => {
        this.#options.logger.warn({ err }, 'webhook workers cannot LISTEN; polling only');
        return undefined;
      });
    this.wake();
  }

  /** Lets the batch in flight finish (each claimed delivery is sent and recorded) and claims no more. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping = true;
    clearInterval(this.#timer);
    await this.#unlisten?.();
    await this.#running;
  }

  /** Starts a round now, or right after the current one. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.drain()
      .catch((err) => {
        this.#options.logger.error({ err }, 'webhook delivery round failed');
        return 0;
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.wake();
        }
      });
  }

  /**
   * Delivers everything due now; resolves with how many attempts were made. `accountIds`
   * limits the round to those accounts (tests that share a database with other suites).
   */
  async drain(options: { accountIds?: string[] } = {}): Promise<number> {
    const accountIds = options.accountIds ?? this.#options.accountIds ?? null;
    let total = 0;
    // A pass serves every account with deliveries due, ACCOUNTS_PER_ROUND a round; a pass from the
    // first account that claims nothing ends the drain.
    let passFromStart = false;
    let claimedInPass = false;
    for (;;) {
      if (this.#stopping) return total;
      if (this.#afterAccount === '') [passFromStart, claimedInPass] = [true, false];
      const claimed = await this.#claim(CLAIM_DUE, [this.#afterAccount, accountIds]);
      const round = claimed[0] as (ClaimedDelivery & { round_accounts: number; round_last: string }) | undefined;
      this.#afterAccount = round?.round_accounts === ACCOUNTS_PER_ROUND ? round.round_last : '';
      if (claimed.length) {
        claimedInPass = true;
        // One delivery that cannot be recorded must not stop the others (its lease lapses and it is retried).
        const results = await Promise.allSettled(claimed.map((delivery) => this.#deliver(delivery)));
        for (const result of results)
          if (result.status === 'rejected')
            this.#options.logger.error({ err: result.reason }, 'could not record a webhook delivery');
        total += results.filter((result) => result.status === 'rejected' || result.value !== null).length;
      }
      if (this.#afterAccount === '' && passFromStart && !claimedInPass) return total;
    }
  }

  /** Delivers one queued (event, endpoint) now and answers with its delivery log entry. */
  async deliverNow(eventId: string, endpointId: string): Promise<Record<string, unknown>> {
    const [delivery] = await this.#claim(CLAIM_ONE, [eventId, endpointId]);
    const attempt = delivery && (await this.#deliver(delivery));
    if (!attempt) throw new Error(`no deliverable attempt of ${eventId} to ${endpointId}`);
    return attempt;
  }

  async #claim(sql: string, extra: unknown[]): Promise<ClaimedDelivery[]> {
    const now = this.#now();
    const rows = await systemQuery(this.#db, {
      sql,
      parameters: [
        new Date(now).toISOString(),
        this.#options.batchSize ?? 50,
        new Date(now + (this.#options.leaseMs ?? 60_000)).toISOString(),
        ...extra,
      ],
    });
    return rows as ClaimedDelivery[];
  }

  /** Sends and records one attempt; null when the delivery quota made it wait instead. */
  async #deliver(delivery: ClaimedDelivery): Promise<Record<string, unknown> | null> {
    if (this.#overQuota(delivery)) return this.#deferToNextPeriod(delivery);
    let outcome: DeliveryOutcome;
    try {
      const secrets = delivery.secrets.map((sealed) => this.#options.secrets.decrypt(sealed));
      outcome = await sendWebhook(
        { url: delivery.url, messageId: delivery.event_id, payload: payloadOf(delivery), secrets },
        {
          allowPrivate: this.#options.allowPrivate,
          timeoutMs: this.#options.timeoutMs,
        },
      );
    } catch (error) {
      outcome = {
        ok: false,
        httpStatus: null,
        durationMs: 0,
        responseBody: null,
        error: `could not send: ${(error as Error).message}`,
        retryAfterSeconds: null,
      };
    }
    return this.#record(delivery, outcome);
  }

  /**
   * Counts a first attempt against the quota; true when the
   * quota is used up. Tests are free: their request was counted.
   */
  #overQuota(delivery: ClaimedDelivery): boolean {
    const quota = this.#options.quota;
    if (!quota || delivery.attempts !== 1 || delivery.type === 'webhook.test') return false;
    return !quota.take(delivery.account_id, planFromRow(delivery.plan), this.#now()).allowed;
  }

  /**
   * Puts an uncounted first attempt back in the queue until the quota
   * resets; nothing was sent, so nothing is logged as an attempt.
   */
  async #deferToNextPeriod(delivery: ClaimedDelivery): Promise<null> {
    const now = this.#now();
    const at = new Date(now).toISOString();
    await systemQuery(this.#db, {
      sql: `UPDATE webhook_queue SET attempts = attempts - 1, first_attempt_at = NULL, next_attempt_at = $3,
             locked_until = NULL, last_error = $4, updated_at = $5
             WHERE event_id = $1 AND endpoint_id = $2 AND attempts = $6 AND locked_until = $7`,
      parameters: [
        delivery.event_id,
        delivery.endpoint_id,
        new Date(nextPeriodStart(now)).toISOString(),
        'the account used its monthly webhook delivery quota; queued until the quota resets',
        at,
        delivery.attempts,
        delivery.lease,
      ],
    });
    this.#options.logger.info(
      { event: delivery.event_id, endpoint: delivery.endpoint_id, account: delivery.account_id },
      "webhook delivery waits for next month's quota",
    );
    return null;
  }

  /** The attempt, the queue row's next state and the endpoint's health, in one transaction. */
  async #record(delivery: ClaimedDelivery, outcome: DeliveryOutcome): Promise<Record<string, unknown>> {
    const now = this.#now();
    const at = new Date(now).toISOString();
    const isTest = delivery.type === 'webhook.test';
    const delay =
      outcome.ok || isTest || outcome.httpStatus === 410
        ? null
        : retryDelaySeconds(delivery.attempts, outcome.retryAfterSeconds);
    const nextAttemptAt = delay === null ? null : new Date(now + delay * 1000).toISOString();
    const status = outcome.ok ? 'succeeded' : nextAttemptAt ? 'pending' : 'failed';
    const attempt: Row = {
      id: newId('whd'),
      endpoint: delivery.endpoint_id,
      event: delivery.event_id,
      event_type: delivery.type,
      attempt: delivery.attempts,
      status: outcome.ok ? 'succeeded' : 'failed',
      http_status: outcome.httpStatus,
      duration_ms: outcome.durationMs,
      response_body: outcome.responseBody,
      error: outcome.error?.replaceAll('\u0000', '\uFFFD') ?? null,
      next_attempt_at: nextAttemptAt,
      created_at: at,
      updated_at: at,
    };
    const statements: SqlStatement[] = [
      insertRow(this.#options.resources.deliveries, delivery.account_id, attempt),
      {
        // Only while our lease holds: a redelivery or a disable may have reset the row meanwhile,
        // and another worker may hold it now. The attempt is logged either way.
        sql: `UPDATE webhook_queue SET status = $3, next_attempt_at = coalesce($4, next_attempt_at),
               locked_until = NULL, last_error = $5, updated_at = $6
               WHERE event_id = $1 AND endpoint_id = $2 AND attempts = $7 AND locked_until = $8`,
        parameters: [
          delivery.event_id,
          delivery.endpoint_id,
          status,
          nextAttemptAt,
          outcome.error,
          at,
          delivery.attempts,
          delivery.lease,
        ],
      },
      ...(await endpointHealthStatements(this.#db, this.#options, delivery, outcome, status, now)),
    ];
    await systemTransaction(this.#db, statements);
    if (!outcome.ok)
      this.#options.logger.info(
        { event: delivery.event_id, endpoint: delivery.endpoint_id, attempt: delivery.attempts, error: outcome.error },
        'webhook delivery failed',
      );
    return serialize(this.#options.resources.deliveries, attempt);
  }
}

/** The body every endpoint receives: the event as `GET /v1/events/{id}` shows it. */
function payloadOf(delivery: ClaimedDelivery): string {
  return JSON.stringify({
    id: delivery.event_id,
    object: 'event',
    type: delivery.type,
    api_version: delivery.api_version ?? API_VERSION,
    created_at: delivery.event_created_at,
    livemode: delivery.livemode,
    data: delivery.data,
  });
}
