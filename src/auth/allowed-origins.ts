// Every browser origin any account or enabled OAuth app allows, for CORS preflights (which
// carry no credential to ask). Reloaded when 30 s old, and on a miss at most once a second, so
// an origin just added works at once; loads happen only when a preflight asks.
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import type { OriginDirectory } from '../http/http-services.ts';

const DIRECTORY_TTL_MS = 30_000;
const MISS_RELOAD_MS = 1_000;

export class AllowedOriginsDirectory implements OriginDirectory {
  #origins = new Set<string>();
  #loadedAt = 0;
  #loading: Promise<void> | undefined;

  constructor(private readonly db: Database) {}

  /** A change made on this node: the next preflight reloads (other nodes: within a second on a miss). */
  invalidate(): void {
    this.#loadedAt = 0;
  }

  async has(origin: string): Promise<boolean> {
    const age = Date.now() - this.#loadedAt;
    if (age > DIRECTORY_TTL_MS || (age > MISS_RELOAD_MS && !this.#origins.has(origin))) await this.#load();
    return this.#origins.has(origin);
  }

  #load(): Promise<void> {
    this.#loading ??= systemQuery(this.db, {
      sql: `SELECT unnest(cors_allowed_origins) AS origin FROM accounts
            UNION SELECT unnest(allowed_origins) FROM oauth_clients WHERE disabled IS NOT TRUE`,
      parameters: [],
    })
      .then((rows) => {
        this.#origins = new Set(rows.map((row) => row.origin));
        this.#loadedAt = Date.now();
      })
      .finally(() => {
        this.#loading = undefined;
      });
    return this.#loading;
  }
}
