// Headers every response carries: X-Request-Id (the caller's own id when well formed, else a
// new req_ id) and the security headers (HSTS only over HTTPS, where it
// means something). One middleware: every request passes through it.
import type { MiddlewareHandler } from 'hono';
import { newId } from '../platform/ids.ts';
import './context-variables.ts';

const ACCEPTED_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

const HSTS = 'max-age=63072000; includeSubDomains';

/** `trustProxy`: believe X-Forwarded-Proto when deciding whether the request came over HTTPS (for HSTS). */
export function responseBasics(options: { trustProxy: boolean }): MiddlewareHandler {
  return async function responseBasicsMiddleware(c, next) {
    const incoming = c.req.header('x-request-id');
    const id = incoming && ACCEPTED_ID.test(incoming) ? incoming : newId('req');
    c.set('requestId', id);
    // Set before the response exists: adding headers afterwards forces @hono/node-server off its fast path.
    c.header('X-Request-Id', id);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    const https =
      c.req.url.startsWith('https:') || (options.trustProxy && c.req.header('x-forwarded-proto') === 'https');
    if (https) c.header('Strict-Transport-Security', HSTS);
    await next();
  };
}
