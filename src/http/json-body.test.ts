import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonBody } from './json-body.ts';
import { appWith, send } from '../../test/support/http-kit.ts';

const echo = (optional: boolean, maxBytes = 100) =>
  appWith('/body', jsonBody({ maxBytes, optional }), (c) => c.json({ received: c.get('body') }));
const post = (body: string, contentType = 'application/json') => ({
  method: 'POST',
  headers: { 'content-type': contentType },
  body,
});

describe('JSON bodies', () => {
  it('parses a JSON body, with any +json media type', async () => {
    assert.deepEqual((await send(echo(false), '/body', post('{"a":1}'))).body, { received: { a: 1 } });
    const merge = await send(echo(false), '/body', post('{"a":2}', 'application/merge-patch+json; charset=utf-8'));
    assert.deepEqual(merge.body, { received: { a: 2 } });
  });

  it('reads an empty body as {} where a body is optional, and refuses it where one is needed', async () => {
    assert.deepEqual((await send(echo(true), '/body', post(''))).body, { received: {} });
    const refused = await send(echo(false), '/body', post('  '));
    assert.deepEqual([refused.status, refused.body.code], [400, 'bad_request']);
  });

  it('refuses a body past the limit with 413, by its declared length or by what arrives', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(200) });
    const declared = await send(echo(false), '/body', post(big));
    assert.deepEqual([declared.status, declared.body.code], [413, 'payload_too_large']);
    const streamed = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const chunked = await send(echo(false), '/body', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: streamed,
      duplex: 'half',
    } as RequestInit);
    assert.deepEqual([chunked.status, chunked.body.code], [413, 'payload_too_large']);
  });

  it('refuses another media type (415) and broken JSON (400)', async () => {
    const form = await send(echo(false), '/body', post('a=1', 'application/x-www-form-urlencoded'));
    assert.deepEqual([form.status, form.body.code], [415, 'unsupported_media_type']);
    const broken = await send(echo(false), '/body', post('{"a":'));
    assert.deepEqual([broken.status, broken.body.code], [400, 'bad_request']);
  });

  it('refuses strings PostgreSQL cannot store (NUL, unpaired surrogates), naming where they are', async () => {
    const refused = await send(echo(false), '/body', post('{"name":"a\\u0000b","tags":["ok","\\ud800"]}'));
    assert.deepEqual([refused.status, refused.body.code], [422, 'validation_failed']);
    assert.deepEqual(refused.body.errors.map((e: { path: string }) => e.path).sort(), ['name', 'tags.1']);
  });
});
