// A browser's push service on 127.0.0.1, as RFC 8030 describes it, and the browser's side of a
// subscription: a P-256 key pair and an auth secret the test decrypts pushes with (RFC 8291), and
// a check of the VAPID token that came with each (RFC 8292). Each path answers as told (201 by
// default, with a Location naming the message), so tests can play a gone or busy service.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createECDH, createPublicKey, randomBytes, verify } from 'node:crypto';
import assert from 'node:assert/strict';
import ece from 'http_ece';

export interface ReceivedPush {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export async function startPushService() {
  const received: ReceivedPush[] = [];
  const answers = new Map<string, number[]>();
  let sequence = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks) });
      const status = answers.get(path)?.shift() ?? 201;
      if (status === 201) response.setHeader('location', `${path}/messages/m${++sequence}`);
      if (status === 429) response.setHeader('retry-after', '120');
      response.writeHead(status).end(status >= 400 ? `status ${status}` : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    origin,
    received,
    /** The next answers to pushes on `path`, in order; then 201 again. */
    answer: (path: string, ...statuses: number[]) => answers.set(path, statuses),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A browser's subscription: what `pushManager.subscribe()` hands the page, and its private half. */
export function browserSubscription(endpoint: string) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16).toString('base64url');
  return {
    endpoint,
    p256dh: ecdh.getPublicKey().toString('base64url'),
    auth,
    /** The push's plaintext, as the browser decrypts it (aes128gcm). */
    open(push: ReceivedPush): any {
      assert.equal(push.headers['content-encoding'], 'aes128gcm');
      return JSON.parse(
        ece.decrypt(push.body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth }).toString(),
      );
    },
  };
}

/** The VAPID token's claims, after checking its ES256 signature against the key the header names. */
export function vapidClaims(push: ReceivedPush): { claims: Record<string, any>; publicKey: string } {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(String(push.headers.authorization));
  assert.ok(match, `a VAPID authorization header: ${push.headers.authorization}`);
  const [, token, publicKey] = match;
  const [header, claims, signature] = token.split('.');
  const point = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  const signed = verify(
    'sha256',
    Buffer.from(`${header}.${claims}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  assert.ok(signed, 'the VAPID token is signed by the key it names');
  assert.equal(JSON.parse(Buffer.from(header, 'base64url').toString()).alg, 'ES256');
  return { claims: JSON.parse(Buffer.from(claims, 'base64url').toString()), publicKey };
}
