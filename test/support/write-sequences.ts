// The property the analytics facts tests state: after any sequence of writes (plain SQL, as any
// write path would make them), what triggers keep equals its definition. A write is named and
// gets three drawn numbers: which row (an index into the rows there are), an hour (a time from
// 2026-01-01) and a value (minutes, an amount, a pick among customers).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Database, Row } from '../../src/db/database.ts';
import { systemQuery } from '../../src/db/system-query.ts';

export type Write = (index: number, hour: number, value: number) => Promise<unknown>;

/** A statement as the system (no tenant), with positional parameters. */
export const sqlOn =
  (db: () => Database) =>
  (text: string, ...parameters: unknown[]) =>
    systemQuery(db(), { sql: text, parameters });

/** The instant `hour` hours after 2026-01-01 UTC. */
export const hourOf = (hour: number) => new Date(Date.UTC(2026, 0, 1) + hour * 3_600_000).toISOString();

export interface WriteSequences {
  writes: Record<string, Write>;
  /** Names drawn more often than the rest (listed once more per extra draw). */
  favoured?: string[];
  /** Brings the tables back to where every sequence starts. */
  reset: () => Promise<unknown>;
  /** Stored facts that differ from their definition: none is the property. */
  drift: () => Promise<Row[]>;
  maxValue: number;
  maxLength: number;
  numRuns: number;
  seed: number;
}

export async function assertWriteSequencesKeepFacts(spec: WriteSequences) {
  const write = fc.record({
    kind: fc.constantFrom(...Object.keys(spec.writes), ...(spec.favoured ?? [])),
    index: fc.nat(50),
    hour: fc.integer({ min: 0, max: 48 }),
    value: fc.integer({ min: 1, max: spec.maxValue }),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: spec.maxLength }), async (writes) => {
      await spec.reset();
      for (const { kind, index, hour, value } of writes) await spec.writes[kind](index, hour, value);
      assert.deepEqual(await spec.drift(), [], writes.map((w) => w.kind).join(' → '));
    }),
    { numRuns: spec.numRuns, seed: spec.seed },
  );
}
