// Embedded PostgreSQL (PGlite): one in-process connection, shared through a FIFO lock.
import { PGlite } from '@electric-sql/pglite';
import {
  DATE_OBJECT_PARSERS,
  SESSION_SETUP_SQL,
  TYPE_PARSERS,
  type Database,
  type DatabaseConnection,
  type Row,
} from './database.ts';

/** `dataDir` undefined keeps the database in memory (tests); `from` starts it as a copy of a snapshot. */
export async function connectPglite(dataDir?: string, from?: Blob): Promise<Database> {
  const pglite = await PGlite.create({ dataDir, parsers: TYPE_PARSERS, loadDataDir: from });
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
