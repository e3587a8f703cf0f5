import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { ApiError } from '../errors.ts';

test('a cursor decodes to the position it encoded', () => {
  const cursor = encodeCursor({
    sort: '-created_at',
    values: ['2026-01-01T00:00:00.000Z', 'cus_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB'],
  });
  assert.deepEqual(decodeCursor(cursor, '-created_at', 2).values, [
    '2026-01-01T00:00:00.000Z',
    'cus_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB',
  ]);
});

test('a cursor from another sort, a garbled one or a tampered shape is a 400', () => {
  const cursor = encodeCursor({ sort: '-created_at', values: ['x', 'id'] });
  for (const [value, sort, keys] of [
    [cursor, 'name', 2],
    ['not base64!', '-created_at', 2],
    [cursor, '-created_at', 3],
    [Buffer.from('[1,2').toString('base64url'), '-created_at', 2],
    [encodeCursor({ sort: '-created_at', values: [{}, 'id'] }), '-created_at', 2],
  ] as const) {
    assert.throws(
      () => decodeCursor(value, sort, keys),
      (e: unknown) => e instanceof ApiError && e.status === 400,
    );
  }
});
