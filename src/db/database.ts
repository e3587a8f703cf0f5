// The one database interface the platform uses: exclusive connections that run
// multi-statement SQL texts in one round trip, on embedded PGlite or a PostgreSQL server.
import type { SqlStatement } from './inline-parameters.ts';

export type Row = Record<string, any>;

export interface DatabaseConnection {
  /** Runs one or more `;`-separated statements in one round trip; returns each statement's rows. */
  run(sqlText: string): Promise<Row[][]>;
  /**
   * Plan-stable statements (`SqlStatement.prepare`) in one round trip and one implicit
   * transaction, each text prepared once per connection so PostgreSQL need not plan it at every
   * call. Absent on PGlite (in process: no round trip to save) and behind a transaction-pooling
   * PgBouncer (see PostgresOptions.preparedStatements): callers then `run` the statements inlined.
   */
  runPrepared?(statements: readonly SqlStatement[]): Promise<Row[][]>;
  /** Bulk-loads rows in COPY text format (see copy-text.ts) into `target`: `table (col, ...)`. */
  copyFrom(target: string, copyText: string | Uint8Array<ArrayBuffer>): Promise<void>;
  /**
   * One statement with bound parameters, for libraries that build their own SQL through Kysely
   * (Better Auth). Timestamps come back as Date objects, as those libraries expect.
   */
  query(sqlText: string, parameters: readonly unknown[]): Promise<{ rows: Row[]; affectedRows: number }>;
}

export interface ListenOptions {
  /** Called when a lost LISTEN session is back: notifications sent meanwhile were missed. */
  onReconnect?: () => void;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** Exclusive use of one connection for the duration of `work` (transactions need it). */
  withConnection<T>(work: (connection: DatabaseConnection) => Promise<T>): Promise<T>;
  /** Connection use right now, for metrics. */
  poolStats(): { total: number; idle: number; waiting: number };
  /**
   * Calls `onNotify` for each NOTIFY on `channel` (delivered at the notifier's commit) until
   * the returned function is called. Best effort: callers also poll, so a lost connection
   * only delays work.
   */
  listen(channel: string, onNotify: (payload: string) => void, options?: ListenOptions): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** Embedded PGlite only: its data folder as a tarball, to start copies from (tests clone a migrated database). */
  snapshot?(): Promise<Blob>;
}

/** Statements every session starts with: UTC timestamps in ISO style, for the parsers below. */
export const SESSION_SETUP_SQL = "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'";

const PG_TYPE = { int8: 20, timestamptz: 1184, numeric: 1700 } as const;

/** '2026-11-22 19:59:00.972123+00' -> '2026-11-22T19:59:00.972Z' (sessions run in UTC). */
export function parseTimestamptz(text: string): string {
  const match = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)?\+00$/.exec(text);
  if (!match) return new Date(text).toISOString();
  const millis = (match[3] ?? '.000').slice(0, 4).padEnd(4, '0');
  return `${match[1]}T${match[2]}${millis}Z`;
}

const parseSafeInteger = (text: string) => {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`integer ${text} exceeds the safe range`);
  return n;
};

/** Type parsers shared by both drivers so rows look identical on PGlite and PostgreSQL. */
export const TYPE_PARSERS: Record<number, (text: string) => unknown> = {
  [PG_TYPE.int8]: parseSafeInteger,
  [PG_TYPE.numeric]: Number,
  [PG_TYPE.timestamptz]: parseTimestamptz,
};

TYPE_PARSERS[1082] = (text: string) => text; // date stays 'YYYY-MM-DD', never a local-time Date

/** The parsers of `query`: TYPE_PARSERS, but timestamps as Date objects. */
export const DATE_OBJECT_PARSERS: Record<number, (text: string) => unknown> = {
  ...TYPE_PARSERS,
  [PG_TYPE.timestamptz]: (text: string) => new Date(parseTimestamptz(text)),
};
