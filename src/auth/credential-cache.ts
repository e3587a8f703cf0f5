// What every node keeps of verified credentials (sessions, OAuth tokens): warm requests touch no
// database. A change anywhere is announced on CREDENTIAL_CHANGES_CHANNEL (`kind:id`) and every
// node forgets at once; the TTL only bounds a missed notice, and a lost LISTEN connection
// forgets everything. A change heard while an entry loads wins: that answer is used once, not kept.
// With Redis, entries also carry their subjects' versions, checked on each use (credential-versions.ts).
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { CREDENTIAL_CHANGES_CHANNEL } from './api-keys.ts';
import { stillCurrent, type CredentialVersions } from './credential-versions.ts';

/** How long "no such credential" is remembered: short, so a just-issued one is found soon on every node. */
const MISSING_TTL_MS = 5_000;

export interface CredentialCacheOptions<T> {
  /** What is cached, for the log: "session", "OAuth token". */
  what: string;
  ttlMs?: number;
  logger?: Logger;
  /** A notice `kind:id` from any node. */
  onNotice(kind: string, id: string): void;
  /** With `subjects`: checked on every use of an entry, so a change through another node applies at once. */
  versions?: CredentialVersions;
  /** What a change to an entry bumps (`person:ID`, ...): see credential-versions.ts. */
  subjects?(entry: T): string[];
}

interface Versioned<T> {
  entry: T;
  /** The subjects' versions when it was loaded; absent without Redis. */
  versions?: string[];
}

export class CredentialCache<T extends { expiresAt: number }> {
  readonly #entries: LRUCache<string, Versioned<T> | 'missing'>;
  #generation = 0;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: Database,
    private readonly options: CredentialCacheOptions<T>,
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
    let cached = this.#entries.get(key);
    if (cached && cached !== 'missing' && !stillCurrent(cached.versions, await this.#versionsOf(cached.entry)))
      cached = undefined;
    if (!cached) {
      const generation = this.#generation;
      const loaded = await load();
      cached = loaded ? { entry: loaded, versions: (await this.#versionsOf(loaded)) ?? undefined } : 'missing';
      if (generation === this.#generation)
        this.#entries.set(key, cached, cached === 'missing' ? { ttl: MISSING_TTL_MS } : undefined);
    }
    return cached === 'missing' || cached.entry.expiresAt <= Date.now() ? null : cached.entry;
  }

  #versionsOf(entry: T): Promise<string[] | null> | null {
    const { versions, subjects } = this.options;
    return versions?.shared && subjects ? versions.read(subjects(entry)) : null;
  }

  forgetKey(key: string): void {
    this.#generation++;
    this.#entries.delete(key);
  }

  forgetWhere(matches: (entry: T) => boolean): void {
    this.#generation++;
    for (const [key, cached] of this.#entries.entries()) {
      if (cached !== 'missing' && matches(cached.entry)) this.#entries.delete(key);
    }
  }
}
