import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED, redactBody, redactHeaders } from './redact.ts';

test('an API key in Authorization keeps only its public prefix', () => {
  const key = 'fl_test_ABCDEFGHIJKL' + 'x'.repeat(32);
  const headers = redactHeaders(new Headers({ authorization: `Bearer ${key}`, 'content-type': 'application/json' }));
  assert.equal(headers.authorization, `Bearer fl_test_ABCDEFGHIJKL${REDACTED}`);
  assert.equal(headers['content-type'], 'application/json');
  assert.ok(!JSON.stringify(headers).includes('x'.repeat(32)));
});

test('other credentials and secret-named headers are replaced entirely', () => {
  const headers = redactHeaders({ Authorization: 'Bearer some-oauth-token', Cookie: 'session=abc', 'X-Webhook-Secret': 'whsec_1' });
  assert.deepEqual(headers, { authorization: `Bearer ${REDACTED}`, cookie: REDACTED, 'x-webhook-secret': REDACTED });
});

test("Node's parsed headers work too: repeated values are joined, secrets still replaced", () => {
  const headers = redactHeaders({ 'set-cookie': ['a=1', 'b=2'], accept: 'application/json', 'x-missing': undefined });
  assert.deepEqual(headers, { 'set-cookie': REDACTED, accept: 'application/json' });
});

test('body members named like secrets are replaced at any depth; other values are kept', () => {
  const body = redactBody({ name: 'Ada', password: 'hunter2', nested: [{ client_secret: 'cs', note: 'ok' }], token_count: 3, client_credentials: true });
  assert.deepEqual(body, { name: 'Ada', password: REDACTED, nested: [{ client_secret: REDACTED, note: 'ok' }], token_count: REDACTED, client_credentials: true });
});
