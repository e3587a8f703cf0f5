// Requests Node refuses before the app sees them (issue 26, defect 9): a 20 KB Authorization
// header is answered 431 as RFC 9457 problem details, like every other error, not Node's bare line.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { serveHttp } from './serve-http.ts';
import { createTestContext, type TestContext } from '../../test/support/test-context.ts';
import { freePort } from '../../test/support/real-port.ts';

let ctx: TestContext;
let server: ReturnType<typeof serveHttp>;
let port: number;
before(async () => {
  ctx = await createTestContext();
  port = await freePort();
  server = serveHttp(ctx.app, { port, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await ctx.close();
});

function get(
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/customers', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('headers over the limit are 431 problem+json with a request id', async () => {
  const res = await get({ authorization: `Bearer ${'x'.repeat(20 * 1024)}` });
  assert.equal(res.status, 431);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const problem = JSON.parse(res.text);
  assert.equal(problem.code, 'request_header_fields_too_large');
  assert.equal(problem.status, 431);
  assert.equal(problem.type, 'https://fieldline.dev/errors/request_header_fields_too_large');
  assert.match(problem.detail, /16384 bytes/);
  assert.match(problem.request_id, /^req_[0-9A-Z]{26}$/);
  assert.equal(res.headers['x-request-id'], problem.request_id);
  // The server goes on serving.
  assert.equal((await get({})).status, 401);
});

test('a request Node cannot parse is 400 problem+json', async () => {
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end('GET /v1 HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
  assert.match(text, /^HTTP\/1\.1 400 /);
  assert.match(text, /content-type: application\/problem\+json/i);
  assert.equal(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).code, 'bad_request');
});
