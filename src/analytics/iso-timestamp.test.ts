import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoTimestamp } from './iso-timestamp.ts';

test('isoTimestamp writes what toISOString writes, across seconds, days and years', () => {
  const starts = [Date.UTC(2026, 11, 3, 13, 39, 59, 990), Date.UTC(2026, 11, 31, 23, 59, 59, 0), 0, 1_796_300_000_007];
  for (const start of starts) {
    for (let ms = start; ms < start + 2_500; ms += 7) assert.equal(isoTimestamp(ms), new Date(ms).toISOString());
  }
  // Going back in time (a clock step) reformats the second.
  assert.equal(isoTimestamp(Date.UTC(2026, 0, 1, 0, 0, 0, 5)), '2026-01-01T00:00:00.005Z');
  assert.equal(isoTimestamp(Date.UTC(2025, 5, 1, 12, 0, 0, 50)), '2025-06-01T12:00:00.050Z');
});
