// Closing an HTTP listener without losing a request it accepted (SIGTERM, a rolling deploy).
// Node's own server.close() stops listening but also destroys every keep-alive connection it
// thinks idle, and a connection whose next request is still unread in the socket (the event loop
// busy elsewhere, or the request on its way) looks idle: that request is reset unanswered. Here,
// draining stops listening (new connections are refused, so a proxy tries the next node), answers
// every request from then on with `Connection: close` (its client opens a fresh connection, refused,
// after this answer), and lets idle connections close at their keep-alive timeout (5 s), which
// clients are told (`Keep-Alive: timeout=5`) and stop using a connection before. Requests in flight
// finish, up to a deadline.
import { Server as NetServer } from 'node:net';
import type { Server, ServerResponse } from 'node:http';

export interface DrainResult {
  /** Requests still unanswered at the deadline, whose connections were cut. */
  cut: number;
}

export interface DrainableServer {
  /** Requests being answered now. */
  readonly inFlight: number;
  /** Stops listening and resolves once every connection has closed, or at `timeoutMs`. */
  drain(timeoutMs: number): Promise<DrainResult>;
}

export function drainable(server: Server): DrainableServer {
  const answering = new Set<ServerResponse>();
  let draining: Promise<DrainResult> | undefined;
  let closing = false;
  // Before the app's own listener, so the header is decided before the app writes it.
  server.prependListener('request', (_request, response: ServerResponse) => {
    if (closing) response.shouldKeepAlive = false;
    answering.add(response);
    response.once('close', () => answering.delete(response));
  });
  return {
    get inFlight() {
      return answering.size;
    },
    drain(timeoutMs) {
      return (draining ??= (async () => {
        // First one more turn of the event loop, still keeping connections alive: it accepts the
        // connections waiting in the kernel's queue (a busy loop leaves some there, and closing the
        // listener would reset them unanswered). Then, in one step, so no client is told to
        // reconnect while the listener still takes connections: stop listening (net's close, not
        // http's, which would destroy the connections it takes for idle), and end every connection
        // after its next answer.
        await new Promise((next) => setImmediate(() => setImmediate(next)));
        closing = true;
        for (const response of answering) if (!response.headersSent) response.shouldKeepAlive = false;
        return new Promise<DrainResult>((resolve) => {
          const deadline = setTimeout(() => {
            const cut = answering.size;
            server.closeAllConnections();
            resolve({ cut });
          }, timeoutMs);
          NetServer.prototype.close.call(server, () => {
            clearTimeout(deadline);
            resolve({ cut: 0 });
          });
        });
      })());
    },
  };
}
