import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { multipartBody } from './multipart-body.ts';
import { appWith, send } from '../../test/support/http-kit.ts';

const upload = { field: 'file', maxBytes: 16, mediaTypes: ['image/png'] };
const app = appWith('/upload', multipartBody(upload), (c) => {
  const file = c.get('upload')!;
  return c.json({ fields: c.get('body'), name: file.filename, size: file.bytes.byteLength });
});
const form = (build: (data: FormData) => void) => {
  const data = new FormData();
  build(data);
  return { method: 'POST', body: data };
};

describe('multipart uploads', () => {
  it("reads one file and the text fields; the file's hash joins the body for idempotency", async () => {
    const { status, body } = await send(
      app,
      '/upload',
      form((data) => {
        data.append('file', new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }), 'a.png');
        data.append('caption', 'Before');
      }),
    );
    assert.equal(status, 200);
    assert.deepEqual([body.name, body.size, body.fields.caption], ['a.png', 3, 'Before']);
    assert.match(body.fields.file.sha256, /^[0-9a-f]{64}$/);
  });

  it('refuses a missing file, a file in another field, text in the file field and a file too large', async () => {
    const missing = await send(
      app,
      '/upload',
      form((data) => data.append('caption', 'x')),
    );
    assert.deepEqual([missing.status, missing.body.errors[0].path], [400, 'file']);
    const elsewhere = await send(
      app,
      '/upload',
      form((data) => data.append('other', new Blob(['x']), 'x.png')),
    );
    assert.deepEqual([elsewhere.status, elsewhere.body.errors[0].path], [400, 'other']);
    const text = await send(
      app,
      '/upload',
      form((data) => data.append('file', 'not a file')),
    );
    assert.equal(text.status, 400);
    const big = await send(
      app,
      '/upload',
      form((data) => data.append('file', new Blob([new Uint8Array(17)]), 'b.png')),
    );
    assert.deepEqual([big.status, big.body.code], [413, 'payload_too_large']);
  });

  it('refuses a body that is not multipart (415)', async () => {
    const json = await send(app, '/upload', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.deepEqual([json.status, json.body.code], [415, 'unsupported_media_type']);
  });
});
