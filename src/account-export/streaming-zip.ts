// A ZIP archive written as it is made (fflate's streaming Zip): each file is deflated a chunk at
// a time and the archive's bytes go to `out` with its backpressure respected, so memory holds a
// chunk, never the archive or one of its files. fflate writes no ZIP64 records, so an archive is
// held to the classic format's limits (65,535 files, 4 GiB): past them it fails with a clear
// reason rather than producing a file no tool can read.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Zip, ZipDeflate } from 'fflate';

/** The classic ZIP format's limits: entries counted in 16 bits, sizes and offsets in 32. */
const MAX_ENTRIES = 0xffff;
const MAX_BYTES = 0xffffffff;

/** An archive past the classic ZIP limits: its message is the export's `error`. */
export class ArchiveTooLargeError extends Error {}

export class StreamingZip {
  #entries = 0;
  readonly #zip: Zip;
  readonly #ended: Promise<void>;
  #error: Error | null = null;
  #bytes = 0;

  constructor(private readonly out: Writable) {
    let ended!: () => void;
    let failed!: (error: Error) => void;
    this.#ended = new Promise((resolve, reject) => ((ended = resolve), (failed = reject)));
    this.#ended.catch(() => undefined); // awaited by end(); a failure also surfaces from addFile
    this.#zip = new Zip((error, chunk, final) => {
      if (error) {
        this.#error = error;
        return failed(error);
      }
      this.#bytes += chunk.length;
      out.write(chunk);
      if (final) ended();
    });
  }

  /** Bytes of the archive written so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Adds `name` with the bytes `source` yields, waiting whenever `out` is full. */
  async addFile(
    name: string,
    source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
    modified: Date,
  ): Promise<number> {
    if (++this.#entries > MAX_ENTRIES)
      throw new ArchiveTooLargeError(`The archive would hold more than ${MAX_ENTRIES} files, beyond the ZIP format`);
    const entry = new ZipDeflate(name, { level: 6 });
    entry.mtime = modified;
    this.#zip.add(entry);
    let size = 0;
    for await (const chunk of source) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      size += bytes.length;
      entry.push(bytes, false);
      await this.#drained();
    }
    entry.push(new Uint8Array(0), true);
    await this.#drained();
    return size;
  }

  /** Writes the central directory, ends `out` and waits until it has taken everything. */
  async end(): Promise<void> {
    this.#zip.end();
    await this.#ended;
    this.out.end();
    await finished(this.out, { readable: false });
  }

  async #drained(): Promise<void> {
    if (this.#error) throw this.#error;
    // Checked as it grows (the directory adds a little): the limit is the format's, not a choice.
    if (this.#bytes > MAX_BYTES - 64 * 1024 * 1024)
      throw new ArchiveTooLargeError('The archive would be larger than 4 GiB, beyond the ZIP format');
    if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }
}
