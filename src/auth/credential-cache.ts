// What every node keeps of verified credentials (sessions, OAuth tokens): warm requests touch no
// database. A change anywhere is announced on CREDENTIAL_CHANGES_CHANNEL (`kind:id`) and every
// node forgets at once; the TTL only bounds a missed notice, and a lost LISTEN connection
// forgets everything. A change heard while an entry loads wins: that answer is used once, not kept.
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { CREDENTIAL_CHANGES_CHANNEL } from './api-keys.ts';

/** How long "no such credential" is remembered: short, so a just-issued one is found soon on every node. */
const MISSING_TTL_MS = 5_000;

export interface CredentialCacheOptions {
  /** What is cached, for the log: "session", "OAuth token". */
  what: string;
  ttlMs?: number;
  logger?: Logger;
  /** A notice `kind:id` from any node. */
  onNotice(kind: string, id: string): void;
}

export class CredentialCache<T extends { expiresAt: number }> {
  readonly #entries: LRUCache<string, T | 'missing'>;
  #generation = 0;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: Database,
    private readonly options: CredentialCacheOptions,
  ) {
    this.#entries = new LRUCache({ max: 10_000, ttl: options.ttlMs ?? 30_000 });
  }

  async start(): Promise<void> {
    this.#unlisten = await this.db
      .listen(
        CREDENTIAL_CHANGES_CHANNEL,
        (notice) => {
          const at = notice.indexOf(':');
          if (at > 0) this.options.onNotice(notice.slice(0, at), notice.slice(at + 1));
        },
        { onReconnect: () => this.forgetWhere(() => true) },
      )
      .catch((err) => {
        this.options.logger?.warn(
          { err },
          `${this.options.what} changes cannot be LISTENed for; other nodes' changes apply after the cache TTL`,
        );
        return undefined;
      });
  }

  async stop(): Promise<void> {
    await this.#unlisten?.();
    this.#unlisten = undefined;
  }

  /** The live entry under `key`, loaded on a miss; null when there is none or it has expired. */
  async get(key: string, load: () => Promise<T | null>): Promise<T | null> {
    let entry = this.#entries.get(key);
    if (!entry) {
      const generation = this.#generation;
      entry = (await load()) ?? 'missing';
      if (generation === this.#generation)
        this.#entries.set(key, entry, entry === 'missing' ? { ttl: MISSING_TTL_MS } : undefined);
    }
    return entry === 'missing' || entry.expiresAt <= Date.now() ? null : entry;
  }

  forgetKey(key: string): void {
    this.#generation++;
    this.#entries.delete(key);
  }

  forgetWhere(matches: (entry: T) => boolean): void {
    this.#generation++;
    for (const [key, entry] of this.#entries.entries()) {
      if (entry !== 'missing' && matches(entry)) this.#entries.delete(key);
    }
  }
}
