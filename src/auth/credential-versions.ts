// Versions of credentials in Redis, so a change made through one node applies to the very next
// request on every other node. NOTIFY alone (credential-cache.ts) tells the other nodes a few
// milliseconds after the commit, in no order with their own requests: a client told "revoked"
// could still be let in by a node that had not read its notice yet (test/scale-out.test.ts
// caught it). So a change also bumps its subjects' versions (`key:ID`, `person:ID`, `session:ID`)
// before it is answered, and a node checks the versions of a cached credential with each use:
// one MGET, beside the rate limiter's own Redis call. Without Redis (one node, or limits per
// node) and while Redis cannot answer, the caches trust NOTIFY and their TTL as before.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

const PREFIX = 'fl:credential-version:';
/** Longer than any cache keeps an entry: a version that expired reads as changed, costing one reload. */
const KEEP_MS = 60 * 60_000;

export class CredentialVersions {
  #lastFailureLog = 0;

  constructor(
    private readonly redis: Redis | undefined,
    private readonly logger?: Logger,
  ) {}

  /** Whether versions are kept (a Redis is configured). */
  get shared(): boolean {
    return this.redis !== undefined;
  }

  /** After the change committed, before it is answered: every node's next use of these subjects reloads them. */
  async bump(subjects: readonly string[]): Promise<void> {
    if (!this.redis || !subjects.length) return;
    const batch = this.redis.multi();
    for (const subject of subjects) batch.incr(PREFIX + subject).pexpire(PREFIX + subject, KEEP_MS);
    await batch.exec().catch((err) => this.#failed(err));
  }

  /** The subjects' versions now (`0` for one never changed); null without Redis or when it cannot answer. */
  async read(subjects: readonly string[]): Promise<string[] | null> {
    if (!this.redis || !subjects.length) return null;
    try {
      return (await this.redis.mget(subjects.map((subject) => PREFIX + subject))).map((v) => v ?? '0');
    } catch (err) {
      this.#failed(err);
      return null;
    }
  }

  #failed(err: unknown): null {
    const now = Date.now();
    if (now - this.#lastFailureLog > 30_000) {
      this.#lastFailureLog = now;
      this.logger?.warn({ err }, 'credential versions unavailable (redis): changes reach other nodes by NOTIFY');
    }
    return null;
  }
}

/** Whether versions read now still match those an entry was cached with (null: cannot tell, trust it). */
export function stillCurrent(cached: readonly string[] | undefined, now: readonly string[] | null): boolean {
  if (!now || !cached) return true;
  return cached.length === now.length && cached.every((version, i) => version === now[i]);
}
