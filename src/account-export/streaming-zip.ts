// A ZIP archive written as it is made (fflate's streaming Zip): each file is deflated a chunk at
// a time and the archive's bytes go to `out` with its backpressure respected, so memory holds a
// chunk, never the archive or one of its files.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Zip, ZipDeflate } from 'fflate';

export class StreamingZip {
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
    source: AsyncIterable<Uint8Array | string> | Iterable<string>,
    modified: Date,
  ): Promise<number> {
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

  /** Writes the central directory and ends `out`. */
  async end(): Promise<void> {
    this.#zip.end();
    await this.#ended;
    this.out.end();
  }

  async #drained(): Promise<void> {
    if (this.#error) throw this.#error;
    if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }
}
