import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toCopyText } from './copy-text.ts';

test('COPY text: tab-separated, \\N for null, t/f, JSON for objects, one line per row', () => {
  assert.equal(
    toCopyText([
      [1, 'a', null, true, { k: 'v' }],
      [2, 'b', undefined, false, [1]],
    ]),
    '1\ta\t\\N\tt\t{"k":"v"}\n2\tb\t\\N\tf\t[1]\n',
  );
});

test('COPY text: backslash, newline, carriage return and tab are escaped; NUL becomes U+FFFD', () => {
  assert.equal(toCopyText([['a\\b\nc\rd\te', 'x\u0000y']]), 'a\\\\b\\nc\\rd\\te\tx\uFFFDy\n');
  assert.equal(toCopyText([[{ path: 'C:\\temp' }]]), '{"path":"C:\\\\\\\\temp"}\n');
});

test('COPY text: numbers must be finite', () => {
  assert.throws(() => toCopyText([[Number.NaN]]), RangeError);
});
