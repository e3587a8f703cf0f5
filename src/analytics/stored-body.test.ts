import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STORED_BODY_LIMIT, storableJsonText, storedBody } from './stored-body.ts';

test('bodies within the limit are stored whole; none is null', () => {
  assert.deepEqual(storedBody({ a: 1 }), { json: '{"a":1}', bytes: 7, truncated: false });
  assert.deepEqual(storedBody(null), { json: null, bytes: null, truncated: false });
  assert.deepEqual(storedBody(undefined), { json: null, bytes: null, truncated: false });
});

test('NUL and unpaired surrogates become visible escapes; escaped backslashes and pairs stay as they are', () => {
  assert.equal(storableJsonText(JSON.stringify('a\u0000b')), '"a\\\\u0000b"');
  assert.equal(storableJsonText(JSON.stringify('\ud800|\udfff')), '"\\\\ud800|\\\\udfff"');
  assert.equal(storableJsonText(JSON.stringify('x\\u0000')), JSON.stringify('x\\u0000'));
  assert.equal(storableJsonText(JSON.stringify('\\\u0000')), '"\\\\\\\\u0000"');
  assert.equal(storableJsonText(JSON.stringify('\u{1F600}\u0001')), JSON.stringify('\u{1F600}\u0001'));
  assert.deepEqual(JSON.parse(storableJsonText(JSON.stringify({ 'k\u0000': ['\ud800'] }))), {
    'k\\u0000': ['\\ud800'],
  });
});

test('a body over the limit is cut to a JSON string within the limit, never splitting a character', () => {
  for (const body of [
    Array.from({ length: 100_000 }, (_, i) => i),
    { quotes: '"'.repeat(40_000) },
    { text: 'é€😀'.repeat(10_000) },
    { nul: '\u0000'.repeat(10_000) },
  ]) {
    const stored = storedBody(body);
    assert.equal(stored.truncated, true);
    assert.equal(stored.bytes, Buffer.byteLength(JSON.stringify(body)));
    assert.ok(Buffer.byteLength(stored.json!) <= STORED_BODY_LIMIT, `${Buffer.byteLength(stored.json!)} bytes`);
    assert.ok(Buffer.byteLength(stored.json!) > STORED_BODY_LIMIT - 64);
    const text = JSON.parse(stored.json!) as string;
    assert.ok(!text.includes('\ufffd') && !/[\ud800-\udbff]$/.test(text), 'no cut character');
    assert.ok(storableJsonText(JSON.stringify(body)).startsWith(text));
  }
});
