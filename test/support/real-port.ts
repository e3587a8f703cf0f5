// Serving the app on a real 127.0.0.1 port, for clients that speak HTTP themselves (openid-client,
// the MCP SDK). The port is chosen first because the app must know its public URL when built.
import { createServer } from 'node:net';
import { serveHttp } from '../../src/http/serve-http.ts';
import { createTestContext, type TestContextOptions } from './test-context.ts';

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Serves `app` on `port` until `close()`. */
export async function serveOn(app: { fetch: (request: Request) => Response | Promise<Response> }, port: number) {
  const server = serveHttp(app, { port, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A test context served on a free 127.0.0.1 port, with that address as its public URL. */
export async function createServedTestContext(options: TestContextOptions = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const context = await createTestContext({ ...options, publicUrl: base });
  const server = await serveOn(context.app, port);
  return {
    t: context,
    base,
    close: async () => {
      await server.close();
      await context.close();
    },
  };
}
