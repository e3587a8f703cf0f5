import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { unzipSync, strFromU8 } from 'fflate';
import { StreamingZip } from './streaming-zip.ts';

/** A slow destination with a small buffer: how much the zip ever left waiting in it. */
function slowSink() {
  const chunks: Buffer[] = [];
  let mostWaiting = 0;
  const out = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      setImmediate(done);
    },
  });
  const watch = setInterval(() => (mostWaiting = Math.max(mostWaiting, out.writableLength)), 0);
  return { out, bytes: () => Buffer.concat(chunks), mostWaiting: () => mostWaiting, stop: () => clearInterval(watch) };
}

describe('StreamingZip', () => {
  it('writes entries a tool can read back, byte for byte', async () => {
    const sink = slowSink();
    const zip = new StreamingZip(sink.out);
    const random = randomBytes(300_000);
    async function* lines() {
      for (let i = 0; i < 1000; i++) yield `{"n":${i}}\n`;
    }
    await zip.addFile('data/rows.ndjson', lines(), new Date('2026-12-01T00:00:00Z'));
    await zip.addFile('files/photo', [random], new Date());
    await zip.end();
    sink.stop();
    const entries = unzipSync(new Uint8Array(sink.bytes()));
    assert.deepEqual(Object.keys(entries), ['data/rows.ndjson', 'files/photo']);
    assert.equal(strFromU8(entries['data/rows.ndjson']).split('\n').filter(Boolean).length, 1000);
    assert.deepEqual(Buffer.from(entries['files/photo']), random);
    assert.equal(zip.bytes, sink.bytes().length);
  });

  it('waits for a slow destination rather than buffering what it cannot take', async () => {
    const sink = slowSink();
    const zip = new StreamingZip(sink.out);
    async function* incompressible() {
      for (let i = 0; i < 200; i++) yield randomBytes(64 * 1024); // 12.5 MiB in all
    }
    await zip.addFile('big', incompressible(), new Date());
    await zip.end();
    sink.stop();
    assert.ok(sink.bytes().length > 12 * 1024 * 1024);
    // One pushed chunk (and its deflate output) at most beyond the buffer, never the whole file.
    assert.ok(sink.mostWaiting() < 1024 * 1024, `${sink.mostWaiting()} bytes were waiting`);
  });
});
