// Closing an HTTP listener without losing a request it accepted (SIGTERM, a rolling deploy).
// Node's own server.close() stops listening but also drops every idle keep-alive connection at
// once, and a client may be sending its next request on one of them at that instant: the request
// is reset without an answer. Here, draining stops listening (new connections are refused, so a
// proxy tries the next node), answers every request from then on with `Connection: close` (its
// client opens a fresh connection, refused, after this answer), and closes the connections still
// idle only after a short grace (an answer whose head was already out said keep-alive: its
// client's next request, if any, gets `Connection: close`); requests in flight finish, up to a deadline.
import { Server as NetServer } from 'node:net';
import type { Server, ServerResponse } from 'node:http';

/** How long a keep-alive connection idle at the start of a drain may still bring one request. */
const IDLE_GRACE_MS = 1_000;

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
  // Before the app's own listener, so the header is decided before the app writes it.
  server.prependListener('request', (_request, response: ServerResponse) => {
    if (closing) response.shouldKeepAlive = false;
    answering.add(response);
    response.once('close', () => answering.delete(response));
  });
  let closing = false;
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
        // http's, which would drop idle keep-alive connections at once), and end every connection
        // after its next answer.
        await new Promise((next) => setImmediate(() => setImmediate(next)));
        closing = true;
        for (const response of answering) if (!response.headersSent) response.shouldKeepAlive = false;
        return new Promise<DrainResult>((resolve) => {
          const timers: NodeJS.Timeout[] = [];
          const finish = (result: DrainResult) => {
            for (const timer of timers) clearTimeout(timer);
            resolve(result);
          };
          NetServer.prototype.close.call(server, () => finish({ cut: 0 }));
          timers.push(setTimeout(() => server.closeIdleConnections(), Math.min(IDLE_GRACE_MS, timeoutMs)));
          timers.push(
            setTimeout(() => {
              const cut = answering.size;
              server.closeAllConnections();
              finish({ cut });
            }, timeoutMs),
          );
        });
      })());
    },
  };
}
