// The caller's address: the socket's peer, or with a trusted proxy in front (configured),
// the first address of X-Forwarded-For. Null when there is no socket (in-process requests).
import type { Context } from 'hono';
import { nodeRequest } from './node-request.ts';

export function clientIp(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const incoming = nodeRequest(c);
  return incoming?.socket?.remoteAddress ?? null;
}
