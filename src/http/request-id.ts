// X-Request-Id on every response: the caller's own id when it is well formed, else a new req_ id.
import type { MiddlewareHandler } from 'hono';
import { newId } from '../platform/ids.ts';
import './context-variables.ts';

const ACCEPTED_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export function requestId(): MiddlewareHandler {
  return async function requestIdMiddleware(c, next) {
    const incoming = c.req.header('x-request-id');
    const id = incoming && ACCEPTED_ID.test(incoming) ? incoming : newId('req');
    c.set('requestId', id);
    // Set before the response exists: adding headers afterwards forces @hono/node-server off its fast path.
    c.header('X-Request-Id', id);
    await next();
  };
}
