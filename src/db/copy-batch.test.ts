import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CopyBatch } from './copy-batch.ts';

test('a COPY batch holds its lines as UTF-8 bytes, counts rows and collects their keys', () => {
  const batch = new CopyBatch();
  batch.append('1\tZoë\n', '2026-12-03');
  batch.append('2\t日本\n', '2026-12-04');
  batch.append('3\tx\n', '2026-12-03');
  assert.equal(batch.rows, 3);
  assert.deepEqual([...batch.keys], ['2026-12-03', '2026-12-04']);
  assert.equal(batch.bytes.toString('utf8'), '1\tZoë\n2\t日本\n3\tx\n');
  assert.deepEqual(
    [...batch.lines()].map((line) => line.toString('utf8')),
    ['1\tZoë\n', '2\t日本\n', '3\tx\n'],
  );
});

test('a COPY batch grows past its first capacity without losing or cutting a line', () => {
  const batch = new CopyBatch(16);
  const lines = Array.from({ length: 200 }, (_, i) => `${i}\t${'é'.repeat(i % 7)}\tend\n`);
  for (const line of lines) batch.append(line, 'day');
  assert.equal(batch.bytes.toString('utf8'), lines.join(''));
  assert.equal([...batch.lines()].length, 200);
});
