import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardedFetch } from './guarded-fetch.ts';

test('refuses private and metadata addresses before connecting; http only when allowed', async () => {
  const strict = guardedFetch(false);
  // Classified only: these addresses are never dialled.
  for (const url of ['https://10.0.0.1/v1/x', 'https://[::ffff:127.0.0.1]/v1/x', 'https://169.254.169.254/latest'])
    await assert.rejects(strict(url, { method: 'POST' }), /refused: .* private or reserved/);
  await assert.rejects(strict('http://example.com/v1', { method: 'POST' }), /refused: http: URLs are not allowed/);
  await assert.rejects(guardedFetch(true)('https://169.254.169.254/latest'), /refused/);
});

test('with private targets allowed: body, headers and status carried both ways', async () => {
  let received = { method: '', body: '', type: '', encoding: '' };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received = {
        method: request.method ?? '',
        body: Buffer.concat(chunks).toString(),
        type: request.headers['content-type'] ?? '',
        encoding: request.headers['accept-encoding'] ?? '',
      };
      response.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'abc' });
      response.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat`;
    const response = await guardedFetch(true)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"q":1}',
    });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('x-request-id'), 'abc');
    assert.deepEqual(await response.json(), { ok: true });
    assert.deepEqual(received, { method: 'POST', body: '{"q":1}', type: 'application/json', encoding: 'identity' });
    // A hostname is judged on the address DNS gives when connecting: localhost is private.
    await assert.rejects(
      guardedFetch(false)(url.replace('http:', 'https:').replace('127.0.0.1', 'localhost')),
      /private or reserved/,
    );
  } finally {
    server.close();
  }
});
