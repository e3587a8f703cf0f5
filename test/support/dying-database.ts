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

/**
 * The database as a server outage shows it: while `down(error)`, taking a connection and every
 * statement on one already taken fail with `error` (shaped like what pg or PGlite throws); `up()`
 * ends the outage. `failures` counts what was refused meanwhile.
 */
export function outage(db: Database) {
  let failing: Error | undefined;
  let failures = 0;
  const check = () => {
    if (!failing) return;
    failures++;
    throw failing;
  };
  const wrapped: Database = {
    kind: db.kind,
    poolStats: () => db.poolStats(),
    listen: (...args) => db.listen(...args),
    close: () => db.close(),
    withConnection: async (work) => {
      check();
      return db.withConnection((connection) =>
        work({
          copyFrom: async (...args) => (check(), connection.copyFrom(...args)),
          query: async (...args) => (check(), connection.query(...args)),
          run: async (text) => (check(), connection.run(text)),
        }),
      );
    },
  };
  return {
    db: wrapped,
    down(error: Error) {
      failing = error;
    },
    up() {
      failing = undefined;
    },
    get failures() {
      return failures;
    },
  };
}

/** Errors as pg, pg-pool, the server and PGlite throw them when the database is gone. */
export const OUTAGE_ERRORS: Record<string, () => Error> = {
  'connection refused': () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
      errno: -111,
      syscall: 'connect',
      address: '127.0.0.1',
      port: 5432,
    }),
  'connection reset': () =>
    Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' }),
  'connection terminated': () => new Error('Connection terminated unexpectedly'),
  'pool timeout': () => new Error('timeout exceeded when trying to connect'),
  'administrator shutdown (57P01)': () =>
    Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
      severity: 'FATAL',
    }),
  'starting up (57P03)': () =>
    Object.assign(new Error('the database system is starting up'), { code: '57P03', severity: 'FATAL' }),
  'connection failure (08006)': () => Object.assign(new Error('connection failure'), { code: '08006' }),
  'PGlite closed': () => new Error('PGlite is closed'),
};
