// PostgreSQL server through a node-postgres pool.
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { PreparedPipeline } from './prepared-pipeline.ts';
import { DATE_OBJECT_PARSERS, SESSION_SETUP_SQL, TYPE_PARSERS, type Database, type Row } from './database.ts';
import type { SqlStatement } from './inline-parameters.ts';

const typesFrom = (parsers: Record<number, (text: string) => unknown>) =>
  ({
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      return parsers[oid] ?? pg.types.getTypeParser(oid, format);
    },
  }) as pg.CustomTypesConfig;
const types = typesFrom(TYPE_PARSERS);
const dateObjectTypes = typesFrom(DATE_OBJECT_PARSERS);

export interface PostgresOptions {
  /**
   * Where the LISTEN session connects when the pool goes through a transaction-pooling
   * PgBouncer (which cannot carry a session's LISTEN): the server itself. Default: the pool's.
   */
  directUrl?: string;
  /** Open no connection yet (a read replica, which may be down at start). */
  lazy?: boolean;
  /** Give up connecting after this long (a read replica: the primary serves meanwhile); default never. */
  connectTimeoutMs?: number;
  /**
   * Keep plan-stable statements prepared per connection (`runPrepared`). Default: unless
   * `directUrl` says a transaction-pooling PgBouncer is between, whose server connections change
   * under a session and so do not hold its prepared statements.
   */
  preparedStatements?: boolean;
}

export async function connectPostgres(
  connectionString: string,
  poolSize = 20,
  { directUrl, lazy = false, connectTimeoutMs = 0, preparedStatements = !directUrl }: PostgresOptions = {},
): Promise<Database> {
  // SESSION_SETUP_SQL only sets TimeZone and DateStyle, which PgBouncer tracks per client and
  // sets again on whichever server connection serves it, so it holds in transaction pooling.
  const pool = new pg.Pool({ connectionString, max: poolSize, types, connectionTimeoutMillis: connectTimeoutMs });
  pool.on('connect', (client) => {
    client.query(SESSION_SETUP_SQL).catch(() => undefined);
  });
  pool.on('error', () => undefined); // an idle client died; the pool replaces it
  if (!lazy) {
    const probe = await pool.connect();
    probe.release();
  }
  // One connection of its own carries every LISTEN (LISTEN belongs to a session, and pooled
  // sessions are shared): webhook workers and event streams share it. When it drops (a
  // server restart, a failover) it is reopened with backoff and every channel listened again;
  // meanwhile the callers' polling covers what was announced.
  const handlers = new Map<string, Set<(payload: string) => void>>();
  const reconnectHandlers = new Set<() => void>();
  let listener: Promise<pg.Client> | undefined;
  let closed = false;
  let generation = 0;
  let reconnectDelayMs = 1000;
  const reconnectLater = () => {
    if (closed) return;
    const timer = setTimeout(() => {
      listenerClient().then(
        () => {
          reconnectDelayMs = 1000;
        },
        () => {
          reconnectDelayMs = Math.min(30_000, reconnectDelayMs * 2);
        },
      );
    }, reconnectDelayMs);
    timer.unref();
  };
  const listenerClient = (): Promise<pg.Client> =>
    (listener ??= (async () => {
      const client = new pg.Client({ connectionString: directUrl ?? connectionString });
      const mine = ++generation;
      const lost = () => {
        if (generation !== mine || !listener) return;
        listener = undefined;
        reconnectLater();
      };
      client.on('error', lost);
      client.on('end', lost);
      client.on('notification', (message) => {
        for (const handle of handlers.get(message.channel) ?? []) handle(message.payload ?? '');
      });
      try {
        await client.connect();
        for (const channel of handlers.keys()) await client.query(`LISTEN ${channel}`);
        if (mine > 1) for (const handle of reconnectHandlers) handle();
      } catch (error) {
        client.end().catch(() => undefined);
        if (generation === mine) {
          listener = undefined;
          reconnectLater();
        }
        throw error;
      }
      return client;
    })());
  return {
    kind: 'postgres',
    async withConnection(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      const noteBroken = (error: unknown) => {
        if (!(error as { code?: string }).code) broken = error as Error; // connection-level failure
        return error;
      };
      // The connection dying between two statements is an 'error' event on the client, which
      // the pool listens to only while the client is idle: unheard, it would end the process.
      // The next statement then fails (503 database_unavailable) and the client is discarded.
      const lost = (error: Error) => {
        broken = error;
      };
      client.on('error', lost);
      const runPrepared = (statements: readonly SqlStatement[]) =>
        new Promise<Row[][]>((resolve, reject) => {
          const pipeline = new PreparedPipeline(statements, types);
          pipeline.callback = (error, results) => (error ? reject(noteBroken(error)) : resolve(results!));
          client.query(pipeline);
        });
      try {
        return await work({
          runPrepared: preparedStatements ? runPrepared : undefined,
          async run(sqlText) {
            try {
              const result = (await client.query(sqlText)) as unknown as pg.QueryResult | pg.QueryResult[];
              return Array.isArray(result) ? result.map((r) => (r.rows ?? []) as Row[]) : [result.rows as Row[]];
            } catch (error) {
              throw noteBroken(error);
            }
          },
          async query(sqlText, parameters) {
            try {
              const result = await client.query({
                text: sqlText,
                values: parameters as unknown[],
                types: dateObjectTypes,
              });
              return { rows: result.rows as Row[], affectedRows: result.rowCount ?? 0 };
            } catch (error) {
              throw noteBroken(error);
            }
          },
          async copyFrom(target, copyText) {
            try {
              // One buffer, ended at once: a stream pipeline here cost an AbortSignal and a
              // DOMException (with its stack trace) per batch.
              const copy = client.query(copyFromStdin(`COPY ${target} FROM STDIN`));
              await new Promise<void>((resolve, reject) => {
                copy.once('finish', resolve); // after PostgreSQL's ReadyForQuery (pg-copy-streams 7)
                copy.once('error', reject);
                copy.end(typeof copyText === 'string' ? Buffer.from(copyText) : copyText);
              });
            } catch (error) {
              throw noteBroken(error);
            }
          },
        });
      } finally {
        client.removeListener('error', lost);
        client.release(broken);
      }
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async listen(channel, onNotify, options) {
      const channelHandlers = handlers.get(channel) ?? new Set();
      channelHandlers.add(onNotify);
      const onReconnect = options?.onReconnect;
      if (onReconnect) reconnectHandlers.add(onReconnect);
      if (!handlers.has(channel)) {
        handlers.set(channel, channelHandlers);
        const client = await listenerClient();
        await client.query(`LISTEN ${channel}`);
      } else {
        await listenerClient();
      }
      return async () => {
        channelHandlers.delete(onNotify);
        if (onReconnect) reconnectHandlers.delete(onReconnect);
      };
    },
    async close() {
      closed = true;
      const client = await listener?.catch(() => undefined);
      await client?.end().catch(() => undefined);
      await pool.end();
    },
  };
}
