// Embedded PostgreSQL (PGlite): one in-process connection, shared through a FIFO lock.
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import {
  DATE_OBJECT_PARSERS,
  SESSION_SETUP_SQL,
  TYPE_PARSERS,
  type Database,
  type DatabaseConnection,
  type Row,
} from './database.ts';

/**
 * PGlite's defaults plus a smaller buffer pool. Its data folder starts with PostgreSQL's 128 MB of
 * shared_buffers, which the WebAssembly heap allocates and zeroes at every start: ~0.3 s and ~110 MiB
 * of RSS. Here pages missed in the pool are a copy away (the OS page cache, or memory for an
 * in-memory database), so 16 MB of pool costs a read, not a disk seek.
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/**
 * Why PGlite's WebAssembly runs on V8's baseline compiler (Liftoff) only. Left to tier up, V8
 * recompiles the hot parts of 9 MB of PostgreSQL with TurboFan on background threads: ~1.5 s of
 * CPU and ~50 MiB per process, and Node's event loop waits for those threads once, right after
 * start (~0.5 s before the first request is answered). Measured on this 2-core VM: a list at 10
 * connections answers as fast either way (1,015-1,031 against 1,022-1,085 requests/s, the spread
 * of runs), point queries ~20% slower in a tight loop, and a test file on PGlite needs 30-45% less
 * CPU. Process-wide, so other WebAssembly (undici's HTTP parser) gets the same compiler.
 */
const BASELINE_COMPILER_ONLY = '--liftoff-only';

/** `dataDir` undefined keeps the database in memory (tests); `from` starts it as a copy of a snapshot. */
export async function connectPglite(dataDir?: string, from?: Blob): Promise<Database> {
  setFlagsFromString(BASELINE_COMPILER_ONLY); // before PGlite compiles its module
  const pglite = await PGlite.create({ dataDir, parsers: TYPE_PARSERS, loadDataDir: from, startParams: START_PARAMS });
  await pglite.exec(SESSION_SETUP_SQL);
  const connection: DatabaseConnection = {
    async run(sqlText) {
      const results = await pglite.exec(sqlText);
      return results.map((r) => r.rows as Row[]);
    },
    async copyFrom(target, copyText) {
      await pglite.query(`COPY ${target} FROM '/dev/blob'`, [], { blob: new Blob([copyText]) });
    },
    async query(sqlText, parameters) {
      const result = await pglite.query<Row>(sqlText, parameters as any[], { parsers: DATE_OBJECT_PARSERS });
      return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
    },
  };
  let queue: Promise<unknown> = Promise.resolve();
  let inUse = 0;
  /** Runs `work` when the single connection is free (between transactions, never inside one). */
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    inUse++;
    const turn = queue.then(work).finally(() => {
      inUse--;
    });
    queue = turn.catch(() => undefined);
    return turn;
  };
  return {
    kind: 'pglite',
    // One connection: everything beyond the request holding it is waiting.
    poolStats: () => ({ total: 1, idle: inUse === 0 ? 1 : 0, waiting: Math.max(0, inUse - 1) }),
    withConnection(work) {
      return inTurn(() => work(connection));
    },
    async listen(channel, onNotify) {
      // LISTEN is a statement on the one connection: run in a transaction someone else opened,
      // it would be undone by that transaction's rollback.
      const unsubscribe = await inTurn(() => pglite.listen(channel, (payload) => onNotify(payload)));
      return () => inTurn(() => unsubscribe());
    },
    async close() {
      await queue;
      await pglite.close();
    },
    snapshot: () => inTurn(() => pglite.dumpDataDir('none')),
  };
}
