import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formBody, textBody } from './form-body.ts';
import { appWith, send } from '../../test/support/http-kit.ts';

const form = appWith('/form', formBody({ maxBytes: 100 }), (c) =>
  c.json({ fields: c.get('body'), bytes: c.get('rawBody')?.byteLength }),
);
const post = (body: string, contentType = 'application/x-www-form-urlencoded') => ({
  method: 'POST',
  headers: { 'content-type': contentType },
  body,
});

describe('form bodies', () => {
  it('reads each field once, and keeps the bytes as they came', async () => {
    const { body } = await send(form, '/form', post('grant_type=client_credentials&scope=read%3Ajobs'));
    assert.deepEqual(body, { fields: { grant_type: 'client_credentials', scope: 'read:jobs' }, bytes: 47 });
  });

  it('refuses a field given twice, something that is not a form, and a body past the limit', async () => {
    const twice = await send(form, '/form', post('a=1&a=2'));
    assert.deepEqual([twice.status, twice.body.errors[0].path], [400, 'a']);
    const json = await send(form, '/form', post('{"a":1}', 'application/json'));
    assert.deepEqual([json.status, json.body.code], [400, 'bad_request']);
    const big = await send(form, '/form', post(`a=${'x'.repeat(200)}`));
    assert.equal(big.status, 413);
  });

  it('refuses a NUL in a field, which PostgreSQL cannot store, as a 422 naming it (issue 26, defect 9)', async () => {
    const nul = await send(form, '/form', post('client_id=%00&scope=x'));
    assert.deepEqual([nul.status, nul.body.code, nul.body.errors[0].path], [422, 'validation_failed', 'client_id']);
  });
});

describe('text bodies', () => {
  it('keeps the exact bytes for the operation (a signature covers them), JSON or not', async () => {
    const app = appWith('/raw', textBody({ maxBytes: 100 }), (c) => c.text(c.get('rawBody')!.toString('utf8')));
    for (const text of ['{ "spaced" : true }', 'not json at all']) {
      assert.equal((await send(app, '/raw', post(text, 'application/json'))).text, text);
    }
  });
});
