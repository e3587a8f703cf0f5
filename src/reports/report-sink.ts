// Where a report's rows go as they are read: a writer of one format over a byte stream, which
// waits when the stream is full so that a large report never piles up in memory.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { ReportRow } from './report-cells.ts';

export interface ReportSink {
  write(row: ReportRow): Promise<void>;
  /** Writes what is left and ends the stream. */
  end(): Promise<void>;
}

/** Writes `chunk`, and waits for the stream to drain when it asks to. */
export async function writeOrWait(out: Writable, chunk: string | Uint8Array): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}
