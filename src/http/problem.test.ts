import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HTTPException } from 'hono/http-exception';
import { ApiError } from '../platform/errors.ts';
import { appWith, send } from '../../test/support/http-kit.ts';

describe('problem details', () => {
  it('answers an ApiError as RFC 9457 problem details with its code and the request id', async () => {
    const app = appWith('/thing', () => {
      throw new ApiError('conflict', 'It is locked', { errors: [{ path: 'status', message: 'is locked' }] });
    });
    const { status, headers, body } = await send(app, '/thing');
    assert.equal(status, 409);
    assert.equal(headers.get('content-type'), 'application/problem+json');
    assert.deepEqual(
      { type: body.type, title: body.title, code: body.code, detail: body.detail, errors: body.errors },
      {
        type: 'https://fieldline.dev/errors/conflict',
        title: 'Conflict',
        code: 'conflict',
        detail: 'It is locked',
        errors: [{ path: 'status', message: 'is locked' }],
      },
    );
    assert.equal(body.request_id, headers.get('x-request-id'));
  });

  it('sends the headers an ApiError carries (Retry-After) and none of them in the body', async () => {
    const app = appWith('/slow', () => {
      throw new ApiError('rate_limited', 'Wait', { headers: { 'Retry-After': '7' } });
    });
    const { headers, body } = await send(app, '/slow');
    assert.equal(headers.get('retry-after'), '7');
    assert.equal(body.headers, undefined);
  });

  it('turns anything unexpected into a bare 500: no message, no stack, no SQL', async () => {
    const app = appWith('/broken', () => {
      throw new Error('relation "secret_table" does not exist at Object.<anonymous> (/srv/app.ts:1:1)');
    });
    const { status, text, body } = await send(app, '/broken');
    assert.equal(status, 500);
    assert.equal(body.code, 'internal_error');
    assert.doesNotMatch(text, /secret_table|app\.ts|at Object/);
  });

  it("maps Hono's own 413 to payload_too_large, and answers an unknown route with not_found", async () => {
    const app = appWith('/big', () => {
      throw new HTTPException(413);
    });
    assert.equal((await send(app, '/big')).body.code, 'payload_too_large');
    const missing = await send(app, '/nowhere', { method: 'POST' });
    assert.deepEqual([missing.status, missing.body.code], [404, 'not_found']);
    assert.match(missing.body.detail, /POST \/nowhere/);
  });
});
