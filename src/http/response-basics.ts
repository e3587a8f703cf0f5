// Headers every response carries: X-Request-Id (the caller's own id when well formed, else a
// new req_ id) and the basic security headers. One middleware: every request passes through it.
import type { MiddlewareHandler } from 'hono';
import { newId } from '../platform/ids.ts';
import './context-variables.ts';

const ACCEPTED_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export function responseBasics(): MiddlewareHandler {
  return async function responseBasicsMiddleware(c, next) {
    const incoming = c.req.header('x-request-id');
    const id = incoming && ACCEPTED_ID.test(incoming) ? incoming : newId('req');
    c.set('requestId', id);
    // Set before the response exists: adding headers afterwards forces @hono/node-server off its fast path.
    c.header('X-Request-Id', id);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    await next();
  };
}
