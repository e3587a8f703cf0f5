// CORS. A preflight carries no credential, so it is answered for any origin some account, OAuth
// app or the portal allows; the real request then gets Access-Control-Allow-Origin only when its
// credential allows that origin (its account's origins, and an OAuth token's app's). Requests without Origin (servers, CLIs) pay nothing.
import type { MiddlewareHandler } from 'hono';
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import './context-variables.ts';

const ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key, X-Request-Id, Mcp-Protocol-Version';
const EXPOSED_HEADERS = 'X-Request-Id, RateLimit, RateLimit-Policy, Retry-After, Idempotent-Replayed, Location';
const PREFLIGHT_MAX_AGE = '7200';
const DIRECTORY_TTL_MS = 30_000;
const MISS_RELOAD_MS = 1_000;

/**
 * Every origin any account or enabled OAuth app allows. Reloaded when 30 s old, and on a miss
 * at most once a second, so an origin just added works at once; loads happen only when a
 * preflight asks.
 */
export class AllowedOriginsDirectory {
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

export interface CorsOptions {
  directory: AllowedOriginsDirectory;
  /** Always allowed, with credentials: the developer portal's own origin when it is served elsewhere. */
  portalOrigins: readonly string[];
}

export function cors({ directory, portalOrigins }: CorsOptions): MiddlewareHandler {
  const portal = new Set(portalOrigins);
  return async function corsMiddleware(c, next) {
    const origin = c.req.header('origin');
    if (!origin) return next();
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      const allowed = portal.has(origin) || (await directory.has(origin));
      if (!allowed) return c.body(null, 204, { Vary: 'Origin' });
      return c.body(null, 204, {
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'GET, POST, PATCH, DELETE',
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': PREFLIGHT_MAX_AGE,
        Vary: 'Origin',
      });
    }
    await next();
    const principal = c.get('principal');
    const allowed =
      portal.has(origin) || (principal ? principal.allowedOrigins.has(origin) : await directory.has(origin));
    c.res.headers.append('Vary', 'Origin');
    if (!allowed) return;
    c.res.headers.set('Access-Control-Allow-Origin', origin);
    c.res.headers.set('Access-Control-Allow-Credentials', 'true');
    c.res.headers.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  };
}
