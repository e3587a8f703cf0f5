// Live events for Server-Sent Events clients. A node learns of new events from PostgreSQL
// (NOTIFY with the account id, sent by the trigger on `events`), never from its own memory, so
// a client sees changes made through any node. NOTIFY costs every write a lock at commit, so
// the trigger sends it only for accounts listed in event_listeners, which the hub renews
// while it has subscribers there. Reading is in commit-safe order (event-stream-schema.ts).
// The price: a long writing transaction in this database holds back every stream until it ends
// (one in another database on the same server does not: STREAM_HORIZON). Each subscriber reads
// forward from its own cursor (created_at, id), which is also what Last-Event-ID resumes from; a
// poll every few seconds covers a lost notification.
import type { Logger } from 'pino';
import type { Database, Row } from '../db/database.ts';
import { tenantBatch } from '../db/tenant-transaction.ts';
import { systemQuery } from '../db/system-query.ts';
import { EVENTS_CHANNEL } from '../webhooks/webhook-schema.ts';

/**
 * A position in commit-safe order: the writing transaction's id (decimal), then the event id.
 * `before`, for a stream that starts now, is the snapshot taken when it opened: events its
 * transaction committed before then (visible in that snapshot) are not sent, while those of
 * transactions still running then are, whatever their txid.
 */
export interface StreamCursor {
  txid: string;
  id: string;
  before?: { snapshot: string; xmax: string };
}

interface Subscriber {
  accountId: string;
  cursor: StreamCursor;
  types: ReadonlySet<string> | null;
  send(event: Row): void;
  /** Ends the client's stream (the hub is stopping). */
  end(): void;
  reading: boolean;
  again: boolean;
}

const PAGE = 200;

/**
 * Below this every transaction that could have written this database's events has ended: the
 * oldest still running, as pg_snapshot_xmin says, but passing over those that pg_stat_activity
 * shows running in another database (transaction ids are server-wide, and a long import or
 * migration in a neighbouring database stalled every stream here). Read after the snapshot, it
 * can miss only transactions that have ended: those count as ours, which at worst waits a round.
 */
const STREAM_HORIZON = `(SELECT coalesce(min(x), pg_snapshot_xmax(pg_current_snapshot()))
    FROM pg_snapshot_xip(pg_current_snapshot()) AS x
   WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity AS a
                      WHERE a.backend_xid = xid(x) AND a.datname IS DISTINCT FROM current_database()))`;
/** How long a listener row lasts; renewed at half that while subscribers remain. */
const LISTENER_TTL_MS = 60_000;
/** Open streams one account may hold on one node; each costs a connection and a read per event. */
export const MAX_STREAMS_PER_ACCOUNT = 25;

export class EventStreamHub {
  readonly #subscribers = new Set<Subscriber>();
  #unlisten: (() => Promise<void>) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly pollMs = 3_000,
  ) {}

  get size(): number {
    return this.#subscribers.size;
  }

  readonly #openStreams = new Map<string, number>();

  /** Counts a stream against its account's cap until the returned release is called; null at the cap. */
  admit(accountId: string): (() => void) | null {
    const open = this.#openStreams.get(accountId) ?? 0;
    if (open >= MAX_STREAMS_PER_ACCOUNT) return null;
    this.#openStreams.set(accountId, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.#openStreams.get(accountId)! - 1;
      if (left) this.#openStreams.set(accountId, left);
      else this.#openStreams.delete(accountId);
    };
  }

  async start(): Promise<void> {
    this.#stopped = false;
    this.#unlisten = await this.db
      .listen(EVENTS_CHANNEL, (accountId) => this.#wake((s) => s.accountId === accountId))
      .catch((err) => {
        this.logger.warn({ err }, 'event streams cannot LISTEN; polling only');
        return undefined;
      });
    this.#timer = setInterval(() => this.poll(), this.pollMs);
    this.#timer.unref();
    this.#renewTimer = setInterval(() => {
      for (const accountId of new Set([...this.#subscribers].map((s) => s.accountId))) void this.#announce(accountId);
    }, LISTENER_TTL_MS / 2);
    this.#renewTimer.unref();
  }

  /** Asks the trigger to NOTIFY this account's events for the next minute. */
  async #announce(accountId: string): Promise<void> {
    await systemQuery(this.db, {
      sql: `INSERT INTO event_listeners (account_id, until)
            VALUES ($1, now() + interval '${LISTENER_TTL_MS / 1000} seconds')
            ON CONFLICT (account_id) DO UPDATE SET until = greatest(event_listeners.until, EXCLUDED.until)`,
      parameters: [accountId],
    }).catch((err) =>
      this.logger.warn({ err, account: accountId }, 'could not announce an event stream; polling covers it'),
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    clearInterval(this.#renewTimer);
    await this.#unlisten?.();
    // Open streams would otherwise keep the HTTP server from closing.
    for (const subscriber of [...this.#subscribers]) subscriber.end();
    this.#subscribers.clear();
  }

  /** The position of an event of this account, or null when it has no such event. */
  async cursorOf(accountId: string, eventId: string): Promise<StreamCursor | null> {
    const [[row]] = await tenantBatch(this.db, accountId, [
      { sql: 'SELECT id, txid::text AS txid FROM events WHERE id = $1', parameters: [eventId] },
    ]);
    return row ? { txid: row.txid, id: row.id } : null;
  }

  /**
   * Now: a stream without Last-Event-ID sends only events committed after this. Every
   * transaction below the snapshot's xmin has ended, so reading starts there and skips what
   * the snapshot already saw (the newest event alone is no such point: a transaction that
   * began earlier can commit later, with a smaller txid).
   */
  async currentCursor(accountId: string): Promise<StreamCursor> {
    const [[row]] = await tenantBatch(this.db, accountId, [
      {
        sql: `SELECT s::text AS snapshot, pg_snapshot_xmin(s)::text AS xmin, pg_snapshot_xmax(s)::text AS xmax
              FROM pg_current_snapshot() AS s`,
        parameters: [],
      },
    ]);
    return { txid: row.xmin, id: '', before: { snapshot: row.snapshot, xmax: row.xmax } };
  }

  /** Sends `send` every event after `cursor`, now and as they happen, until the returned function is called. */
  async subscribe(
    accountId: string,
    cursor: StreamCursor,
    types: ReadonlySet<string> | null,
    send: (event: Row) => void,
    end: () => void,
  ): Promise<() => void> {
    await this.#announce(accountId); // before the first read: nothing committed after it goes unannounced
    const subscriber: Subscriber = { accountId, cursor, types, send, end, reading: false, again: false };
    if (this.#stopped) {
      end();
      return () => {};
    } // stopped while this one was being set up
    this.#subscribers.add(subscriber);
    void this.#read(subscriber);
    return () => {
      this.#subscribers.delete(subscriber);
    };
  }

  /** Reads for every subscriber now (what the timer does every few seconds). */
  poll(): void {
    this.#wake(() => true);
  }

  #wake(matches: (s: Subscriber) => boolean): void {
    for (const subscriber of this.#subscribers) if (matches(subscriber)) void this.#read(subscriber);
  }

  async #read(subscriber: Subscriber): Promise<void> {
    if (subscriber.reading) {
      subscriber.again = true;
      return;
    }
    subscriber.reading = true;
    try {
      do {
        subscriber.again = false;
        for (;;) {
          const { txid, id, before } = subscriber.cursor;
          const [rows] = await tenantBatch(this.db, subscriber.accountId, [
            {
              // Every row read has its transaction ended, so the cursor passes the ones the
              // opening snapshot saw too (`seen`): they are skipped once, not read again.
              sql: `SELECT id, type, data, request_id, livemode, created_at, txid::text AS txid,
                          ${before ? 'pg_visible_in_snapshot(txid, $3::pg_snapshot)' : 'false'} AS seen FROM events
                   WHERE (txid, id) > ($1::xid8, $2) AND txid < ${STREAM_HORIZON}
                   ORDER BY txid, id LIMIT ${PAGE}`,
              parameters: before ? [txid, id, before.snapshot] : [txid, id],
            },
          ]);
          if (!this.#subscribers.has(subscriber)) return;
          for (const row of rows) {
            // Past the opening snapshot's xmax every transaction began after the stream opened.
            const stillBefore = before && BigInt(row.txid) < BigInt(before.xmax) ? before : undefined;
            subscriber.cursor = { txid: row.txid, id: row.id, before: stillBefore };
            if (row.seen) continue;
            if (!subscriber.types || subscriber.types.has(row.type)) subscriber.send(row);
          }
          if (rows.length < PAGE) break;
        }
      } while (subscriber.again && this.#subscribers.has(subscriber));
    } catch (err) {
      this.logger.warn({ err, account: subscriber.accountId }, 'event stream read failed; retrying on the next poll');
    } finally {
      subscriber.reading = false;
    }
  }
}
