import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED, redactBody, redactHeaders, redactRawHeaders } from './redact.ts';

test('an API key in Authorization keeps only its public prefix', () => {
  const key = 'fl_test_ABCDEFGHIJKL' + 'x'.repeat(32);
  const headers = redactHeaders(new Headers({ authorization: `Bearer ${key}`, 'content-type': 'application/json' }));
  assert.equal(headers.authorization, `Bearer fl_test_ABCDEFGHIJKL${REDACTED}`);
  assert.equal(headers['content-type'], 'application/json');
  assert.ok(!JSON.stringify(headers).includes('x'.repeat(32)));
});

test('other credentials and secret-named headers are replaced entirely', () => {
  const headers = redactHeaders({
    Authorization: 'Bearer some-oauth-token',
    Cookie: 'session=abc',
    'X-Webhook-Secret': 'whsec_1',
  });
  assert.deepEqual(headers, { authorization: `Bearer ${REDACTED}`, cookie: REDACTED, 'x-webhook-secret': REDACTED });
});

test("Node's parsed headers work too: repeated values are joined, secrets still replaced", () => {
  const headers = redactHeaders({ 'set-cookie': ['a=1', 'b=2'], accept: 'application/json', 'x-missing': undefined });
  assert.deepEqual(headers, { 'set-cookie': REDACTED, accept: 'application/json' });
});

test("Node's raw header list gives the same redacted record, names lower-cased, repeats joined", () => {
  const key = 'fl_live_ABCDEFGHIJKL' + 'y'.repeat(32);
  const raw = [
    'Host',
    'api.example',
    'Authorization',
    `Bearer ${key}`,
    'X-Api-Key',
    'k',
    'Accept',
    'text/plain',
    'accept',
    'application/json',
  ];
  assert.deepEqual(redactRawHeaders(raw), {
    host: 'api.example',
    authorization: `Bearer fl_live_ABCDEFGHIJKL${REDACTED}`,
    'x-api-key': REDACTED,
    accept: 'text/plain, application/json',
  });
});

test('the raw list keeps user agent and content length, replaces secret-named headers, and may be empty', () => {
  const raw = [
    'Host',
    'api.example',
    'Authorization',
    'Basic dXNlcjpwYXNz',
    'User-Agent',
    'tool "quoted"/1.0',
    'Content-Length',
    '12',
    'X-Client-Secret',
    's3',
  ];
  const logged = redactRawHeaders(raw);
  assert.deepEqual(JSON.parse(JSON.stringify(logged)), {
    host: 'api.example',
    authorization: `Basic ${REDACTED}`,
    'user-agent': 'tool "quoted"/1.0',
    'content-length': '12',
    'x-client-secret': REDACTED,
  });
  assert.deepEqual([logged['user-agent'], logged['content-length']], ['tool "quoted"/1.0', '12']);
  assert.deepEqual(redactRawHeaders([]), {});
  // A repeated name: every value kept.
  assert.deepEqual(redactRawHeaders(['Accept', 'a', 'Cookie', 'x=1', 'accept', 'b']), {
    accept: 'a, b',
    cookie: REDACTED,
  });
});

test('body members named like secrets are replaced at any depth; other values are kept', () => {
  const body = redactBody({
    name: 'Ada',
    password: 'hunter2',
    nested: [{ client_secret: 'cs', note: 'ok' }],
    token_count: 3,
    client_credentials: true,
  });
  assert.deepEqual(body, {
    name: 'Ada',
    password: REDACTED,
    nested: [{ client_secret: REDACTED, note: 'ok' }],
    token_count: REDACTED,
    client_credentials: true,
  });
});
