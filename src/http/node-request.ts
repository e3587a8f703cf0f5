// The Node request under @hono/node-server, for what is cheaper to read there than through the
// web Request the adapter builds lazily (body bytes, parsed headers, the socket's address).
// Undefined in-process (app.request in tests).
import type { Context } from 'hono';
import type { IncomingMessage } from 'node:http';

export function nodeRequest(c: Context): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}
