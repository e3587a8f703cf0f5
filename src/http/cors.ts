// CORS. A preflight carries no credential, so it is answered for any origin some account, OAuth
// app or the portal allows; the real request then gets Access-Control-Allow-Origin only when its
// credential allows that origin (its account's origins, and an OAuth
// token's app's). Requests without Origin (servers, CLIs) pay nothing.
import type { MiddlewareHandler } from 'hono';
import type { OriginDirectory } from './http-services.ts';
import './context-variables.ts';

const ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key, X-Request-Id, Mcp-Protocol-Version';
const EXPOSED_HEADERS = 'X-Request-Id, RateLimit, RateLimit-Policy, Retry-After, Idempotent-Replayed, Location';
const PREFLIGHT_MAX_AGE = '7200';

export interface CorsOptions {
  /** Origins some account or app allows (the auth module's); absent: the portal's only. */
  directory: OriginDirectory | undefined;
  /** Always allowed, with credentials: the developer portal's own origin when it is served elsewhere. */
  portalOrigins: readonly string[];
}

export function cors({ directory, portalOrigins }: CorsOptions): MiddlewareHandler {
  const portal = new Set(portalOrigins);
  return async function corsMiddleware(c, next) {
    const origin = c.req.header('origin');
    if (!origin) return next();
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      const allowed = portal.has(origin) || (await directory?.has(origin)) === true;
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
      portal.has(origin) ||
      (principal ? principal.allowedOrigins.has(origin) : (await directory?.has(origin)) === true);
    c.res.headers.append('Vary', 'Origin');
    if (!allowed) return;
    c.res.headers.set('Access-Control-Allow-Origin', origin);
    c.res.headers.set('Access-Control-Allow-Credentials', 'true');
    c.res.headers.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  };
}
