// Rows waiting for one COPY: their text in a single buffer outside the JavaScript heap, so a
// batch filling over a second is neither traced nor copied by the garbage collector, and is
// sent as it is (no join, no re-encoding of a large string). Lines reach the buffer a few dozen
// at a time: one Buffer.write per line cost more than encoding the line.
const NEWLINE = 0x0a;
const LINES_PER_WRITE = 64;

export class CopyBatch {
  #buffer: Buffer<ArrayBuffer>;
  #length = 0;
  #rows = 0;
  #unwritten: string[] = [];
  /** Whatever the rows must have in place before they are written (their partitions' days). */
  readonly keys = new Set<string>();

  constructor(capacity = 256 * 1024) {
    this.#buffer = Buffer.allocUnsafeSlow(capacity);
  }

  get rows(): number {
    return this.#rows;
  }

  /** Appends one COPY line (ending in a newline). */
  append(line: string, key: string): void {
    this.#unwritten.push(line);
    this.#rows++;
    this.keys.add(key);
    if (this.#unwritten.length >= LINES_PER_WRITE) this.#write();
  }

  /** The COPY text of every row (a view, not a copy). */
  get bytes(): Buffer<ArrayBuffer> {
    this.#write();
    return this.#buffer.subarray(0, this.#length);
  }

  /** Empties the batch for reuse: its buffer has grown to the size batches need, and a fresh one costs page faults. */
  reset(): void {
    this.#length = 0;
    this.#rows = 0;
    this.#unwritten = [];
    this.keys.clear();
  }

  #write(): void {
    if (!this.#unwritten.length) return;
    const text = this.#unwritten.join('');
    this.#unwritten = [];
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit; write() would silently cut short.
    const worst = text.length * 3;
    if (this.#buffer.length - this.#length < worst) this.#grow(this.#length + worst);
    this.#length += this.#buffer.write(text, this.#length);
  }

  /** Each row's COPY text on its own: COPY escapes newlines inside values, so 0x0A ends a row. */
  *lines(): Generator<Buffer<ArrayBuffer>> {
    this.#write();
    let start = 0;
    while (start < this.#length) {
      const end = this.#buffer.indexOf(NEWLINE, start);
      yield this.#buffer.subarray(start, end + 1);
      start = end + 1;
    }
  }

  #grow(needed: number): void {
    const bigger = Buffer.allocUnsafeSlow(Math.max(needed, this.#buffer.length * 2));
    this.#buffer.copy(bigger, 0, 0, this.#length);
    this.#buffer = bigger;
  }
}
