// The database as a worker sees it, except that the worker "dies" on a transaction's COMMIT:
// before the COMMIT reaches the server (the transaction rolls back) or just after it (it
// committed, but the worker never learns so). `die` is how: a thrown error in process, or a
// SIGKILL of the worker's own process (a real crash: its connection drops mid-transaction).
import type { Database } from '../../src/db/database.ts';

export type CommitCrash = 'before' | 'after';

export function dyingAtCommit(
  db: Database,
  options: { when: CommitCrash; skip?: number; times?: number; die: () => never },
): Database {
  let skip = options.skip ?? 0;
  let left = options.times ?? 1;
  return {
    kind: db.kind,
    poolStats: () => db.poolStats(),
    listen: (...args) => db.listen(...args),
    close: () => db.close(),
    withConnection: (work) =>
      db.withConnection((connection) =>
        work({
          copyFrom: (...args) => connection.copyFrom(...args),
          query: (...args) => connection.query(...args),
          run: async (text) => {
            if (!/\bCOMMIT$/.test(text.trim()) || left <= 0) return connection.run(text);
            if (skip > 0) {
              skip--;
              return connection.run(text);
            }
            left--;
            if (options.when === 'after') await connection.run(text);
            return options.die();
          },
        }),
      ),
  };
}
