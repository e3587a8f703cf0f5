// Reads on a streaming replica (DATABASE_REPLICA_URL), with read-your-writes and a fallback.
//
// - A caller that wrote (any POST/PUT/PATCH/DELETE of its credential) reads from the primary for
//   `stickyMs` afterwards, noted in Redis when there is one (so every node knows), else in memory.
// - The replica serves only while it is less than `lagBoundMs` (stickyMs minus two checks) behind:
//   every `checkMs` the primary's WAL position is sampled and the replica's replay position read;
//   it is fresh when it has replayed what the primary had written `lagBoundMs` ago. So a caller
//   whose window has passed still sees its writes on the replica, and a replica that lags, is
//   paused or is down is skipped until it catches up.
// - A read that fails on the replica for a reason the primary does not share (connection lost,
//   recovery conflict, shutdown) runs again on the primary; the replica is then skipped until
//   the next check finds it healthy. Each change of state is logged once.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Database, Row } from './database.ts';
import { isDatabaseUnavailable } from './unavailable.ts';
import { connectPostgres } from './connect-postgres.ts';

export interface ReadReplicaOptions {
  /** How long a caller's reads stay on the primary after its write (FIELDLINE_REPLICA_STICKY_SECONDS). */
  stickyMs: number;
  /** Shares the callers' windows between nodes. */
  redis?: Redis;
  logger: Logger;
}

type ReplicaState = 'starting' | 'serving' | 'lagging' | 'unavailable' | 'not_a_standby';

/** SQLSTATEs a read can meet on a replica but not on the primary: recovery conflicts, a write refused. */
const REPLICA_ONLY_SQLSTATES = /^(40001|25006|3D000|28...)$/;

/** '2/85000490' -> a comparable number. */
export function parseLsn(text: string): bigint {
  const [high, low] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

const sticky = (caller: string) => `fieldline:replica-sticky:${caller}`;

export class ReadReplica {
  readonly stickyMs: number;
  readonly checkMs: number;
  /** The replica serves while it holds every commit the primary had this long ago. */
  readonly lagBoundMs: number;
  #state: ReplicaState = 'starting';
  /** The replica's last good verdict holds until then (a stalled check does not keep it serving). */
  #freshUntil = 0;
  #samples: { at: number; lsn: bigint }[] = [];
  #recentWriters = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;

  constructor(
    readonly replica: Database,
    readonly primary: Database,
    private readonly options: ReadReplicaOptions,
  ) {
    this.stickyMs = options.stickyMs;
    this.checkMs = Math.max(50, Math.min(500, Math.floor(options.stickyMs / 10)));
    this.lagBoundMs = this.stickyMs - 2 * this.checkMs;
  }

  get state(): ReplicaState {
    return this.#state;
  }

  /** Checks the replica now and every `checkMs` from now on. */
  start(): Promise<void> {
    this.#timer ??= setInterval(() => void this.check(), this.checkMs);
    this.#timer.unref();
    return this.check();
  }

  /** Samples the primary's WAL position and asks the replica how far it has replayed. */
  check(): Promise<void> {
    return (this.#checking ??= this.#check().finally(() => (this.#checking = undefined)));
  }

  async #check(): Promise<void> {
    const at = Date.now();
    try {
      const [[{ lsn }]] = await this.primary.withConnection((c) => c.run('SELECT pg_current_wal_lsn()::text AS lsn'));
      this.#samples.push({ at, lsn: parseLsn(lsn) });
    } catch {
      return; // the primary is away: nothing to compare with, and reads fail on it anyway
    }
    // What the primary had written lagBoundMs ago: the oldest sample taken since then.
    const since = at - this.lagBoundMs;
    this.#samples = this.#samples.filter((sample) => sample.at >= since);
    const needed = this.#samples[0].lsn; // the newest is `at` itself: never empty
    let replayed: Row;
    try {
      [[replayed]] = await this.#withTimeout(
        this.replica.withConnection((c) =>
          c.run('SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS lsn'),
        ),
      );
    } catch (error) {
      this.#become('unavailable', error);
      return;
    }
    if (!replayed.standby) return this.#become('not_a_standby');
    if (parseLsn(replayed.lsn) < needed) return this.#become('lagging');
    this.#freshUntil = at + 2 * this.checkMs;
    this.#become('serving');
  }

  async #withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${2 * this.checkMs} ms`)), 2 * this.checkMs);
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  #become(state: ReplicaState, error?: unknown): void {
    if (state !== 'serving') this.#freshUntil = 0;
    if (state === this.#state) return;
    const was = this.#state;
    this.#state = state;
    const { logger } = this.options;
    if (state === 'serving') logger.info({ was }, 'read replica serving reads');
    else if (state === 'lagging')
      logger.warn(`read replica more than ${this.lagBoundMs} ms behind: reads go to the primary until it catches up`);
    else if (state === 'not_a_standby') logger.warn('DATABASE_REPLICA_URL is not a standby: reads stay on the primary');
    else logger.warn({ err: error }, 'read replica unavailable: reads go to the primary until it is back');
  }

  /** `caller` wrote: its reads go to the primary for the sticky window (on every node, with Redis). */
  async noteWrite(caller: string): Promise<void> {
    const now = Date.now();
    this.#recentWriters.set(caller, now + this.stickyMs);
    if (this.#recentWriters.size > 10_000)
      for (const [key, until] of this.#recentWriters) if (until <= now) this.#recentWriters.delete(key);
    await this.options.redis?.set(sticky(caller), '1', 'PX', this.stickyMs).catch(() => undefined);
  }

  async #wroteLately(caller: string): Promise<boolean> {
    if ((this.#recentWriters.get(caller) ?? 0) > Date.now()) return true;
    const redis = this.options.redis;
    if (!redis) return false;
    // A Redis that cannot answer cannot say the caller did not write elsewhere: the primary.
    return redis.exists(sticky(caller)).then(
      (found) => found > 0,
      () => true,
    );
  }

  /**
   * Runs the read `work` on the replica when it is fresh and `caller` has not written lately,
   * otherwise on the primary; again on the primary when the replica fails it.
   */
  async read<T>(caller: string, work: (db: Database, onReplica: boolean) => Promise<T>): Promise<T> {
    if (this.#freshUntil < Date.now() || (await this.#wroteLately(caller))) return work(this.primary, false);
    try {
      return await work(this.replica, true);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (!isDatabaseUnavailable(error) && !(typeof code === 'string' && REPLICA_ONLY_SQLSTATES.test(code)))
        throw error;
      this.#become('unavailable', error);
      return work(this.primary, false);
    }
  }

  /** Stops checking and closes the replica's pool. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#checking;
    await this.replica.close();
  }
}

/** The replica of DATABASE_REPLICA_URL beside `primary`; no connection yet (it may be down at start). */
export async function connectReadReplica(
  url: string,
  primary: Database,
  options: ReadReplicaOptions & { poolSize: number },
): Promise<ReadReplica> {
  const replica = await connectPostgres(url, options.poolSize, { lazy: true, connectTimeoutMs: 2_000 });
  return new ReadReplica(replica, primary, options);
}
