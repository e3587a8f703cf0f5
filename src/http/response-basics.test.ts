import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { responseBasics } from './response-basics.ts';

function app(trustProxy = false) {
  const hono = new Hono();
  hono.use(responseBasics({ trustProxy }));
  hono.get('/id', (c) => c.text(c.get('requestId')));
  return hono;
}

describe('response basics', () => {
  it('gives every response a new req_ id, and the same id to the request', async () => {
    const response = await app().request('/id');
    const id = response.headers.get('x-request-id');
    assert.match(id ?? '', /^req_[0-9A-Z]{26}$/);
    assert.equal(await response.text(), id);
  });

  it("keeps the caller's own request id when it is well formed, and replaces one that is not", async () => {
    const kept = await app().request('/id', { headers: { 'x-request-id': 'trace-42.a:b' } });
    assert.equal(kept.headers.get('x-request-id'), 'trace-42.a:b');
    for (const bad of ['has space', 'x'.repeat(129), '<script>', 'é']) {
      const replaced = await app().request('/id', { headers: { 'x-request-id': bad } });
      assert.match(replaced.headers.get('x-request-id') ?? '', /^req_/, JSON.stringify(bad));
    }
  });

  it('sets the security headers on every answer, a 404 included', async () => {
    for (const path of ['/id', '/nowhere']) {
      const response = await app().request(path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('x-frame-options'), 'DENY');
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    }
  });

  it('asks for HSTS only over HTTPS, and believes X-Forwarded-Proto only behind a trusted proxy', async () => {
    assert.equal((await app().request('http://api.test/id')).headers.get('strict-transport-security'), null);
    assert.match(
      (await app().request('https://api.test/id')).headers.get('strict-transport-security') ?? '',
      /max-age=/,
    );
    const forwarded = { headers: { 'x-forwarded-proto': 'https' } };
    assert.equal(
      (await app(false).request('http://api.test/id', forwarded)).headers.get('strict-transport-security'),
      null,
    );
    assert.match(
      (await app(true).request('http://api.test/id', forwarded)).headers.get('strict-transport-security') ?? '',
      /max-age=/,
    );
  });
});
