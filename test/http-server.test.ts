// The app behind a real Node HTTP server (as `fieldline serve` runs it): bodies are read
// straight from the socket, so limits must hold for declared and chunked bodies alike.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';

let ctx: TestContext;
let account: TestAccount;
let server: ServerType;
let port: number;

before(async () => {
  ctx = await createTestContext();
  account = await ctx.newAccount();
  server = serve({ fetch: ctx.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as { port: number }).port;
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await ctx.close();
});

/** Sends `chunks` as a chunked body (no Content-Length) and returns status and JSON body. */
function post(
  path: string,
  chunks: string[],
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { authorization: `Bearer ${account.key}`, 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

test('a JSON body sent in chunks is read whole', async () => {
  const response = await post('/v1/customers', ['{"name":', '"Chunked', ' Co"}']);
  assert.equal(response.status, 201);
  assert.equal(response.body.data.name, 'Chunked Co');
});

test('a chunked body over the limit is 413 and creates nothing', async () => {
  const before = (await ctx.call('GET', '/v1/customers?count=true&limit=1', { key: account.key })).body.page.total;
  const filler = 'x'.repeat(64 * 1024);
  const response = await post('/v1/customers', ['{"name":"big","notes":"', ...Array(20).fill(filler), '"}']);
  assert.equal(response.status, 413);
  assert.equal(response.body.code, 'payload_too_large');
  assert.equal(
    (await ctx.call('GET', '/v1/customers?count=true&limit=1', { key: account.key })).body.page.total,
    before,
  );
});

test('a declared Content-Length over the limit is refused before the body is read', async () => {
  // Only the first bytes are ever sent: the answer must come from the header alone.
  const statusLine = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (data) => {
      received += data;
      if (received.includes('\r\n')) {
        resolve(received.slice(0, received.indexOf('\r\n')));
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.write(
      `POST /v1/customers HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${account.key}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n{"name":"',
    );
  });
  assert.equal(statusLine, 'HTTP/1.1 413 Payload Too Large');
});

test('a client that disconnects mid-body does not disturb the server', async () => {
  await new Promise<void>((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/v1/customers',
      method: 'POST',
      headers: { authorization: `Bearer ${account.key}`, 'content-type': 'application/json', 'content-length': '1000' },
    });
    req.on('error', () => resolve());
    req.write('{"name":"half');
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 50);
  });
  const response = await post('/v1/customers', ['{"name":"After"}']);
  assert.equal(response.status, 201);
});
