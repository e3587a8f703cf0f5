import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIdOf, newId } from './ids.ts';

test('ids are prefixed, unique and sort in creation order', () => {
  const ids = Array.from({ length: 5000 }, () => newId('cus'));
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
  assert.ok(ids.every((id) => isIdOf('cus', id)));
});

test('a wrong prefix or a malformed body is not an id of the type', () => {
  const id = newId('job');
  assert.equal(isIdOf('cus', id), false);
  assert.equal(isIdOf('job', id.slice(0, -1)), false);
  assert.equal(isIdOf('job', id.replace(/.$/, 'U')), false); // U is not Crockford base32
});
