// Database errors a client caused, turned into API errors. Constraint names follow the
// DDL's convention ({table}_{column}_fkey / _key), so the field can be named without SQL text.
// A database that cannot be reached is 503 database_unavailable: the client retries.
import { ApiError, validationFailed } from './errors.ts';

/** What a client is told to wait before retrying while the database is away (pools reconnect within ~1 s). */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * SQLSTATEs of a server that went away or cannot take a connection now: class 08 (connection
 * exception), admin or crash shutdown, starting up or shutting down, too many connections.
 */
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[123]|53300)$/;
/** What the socket says when the server is unreachable or the connection broke (pg passes these through). */
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** pg's, pg-pool's and PGlite's own words for a lost, unusable or timed-out connection. */
const UNAVAILABLE_MESSAGES = new RegExp(
  '^(' +
    [
      'Connection terminated( unexpectedly| due to connection timeout)?',
      'timeout exceeded when trying to connect',
      'Client has encountered a connection error and is not queryable',
      'Client was closed and is not queryable',
      'Cannot use a pool after calling end on the pool',
      'PGlite is clos(ed|ing)',
    ].join('|') +
    ')$',
);

/** Whether `error` says the database cannot be reached (rather than that a statement failed). */
export function isDatabaseUnavailable(error: unknown): boolean {
  const failure = error as { code?: unknown; message?: unknown; errors?: unknown } | null;
  if (!failure || typeof failure !== 'object') return false;
  const code = typeof failure.code === 'string' ? failure.code : '';
  if (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_SOCKET_CODES.has(code)) return true;
  if (typeof failure.message === 'string' && UNAVAILABLE_MESSAGES.test(failure.message)) return true;
  // net's AggregateError when every address of a host refused (localhost: ::1 and 127.0.0.1).
  return Array.isArray(failure.errors) && failure.errors.length > 0 && failure.errors.every(isDatabaseUnavailable);
}

/** The answer while the database is away: the driver's message stays in the log. */
export const databaseUnavailable = () =>
  new ApiError('database_unavailable', 'The database is unavailable right now; retry in a few seconds', {
    headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
  });

interface PgError {
  code?: string;
  constraint?: string;
  table?: string;
  detail?: string;
  message?: string;
}

function columnOf(constraint: string | undefined, table: string | undefined): string {
  if (!constraint) return '';
  const withoutTable = table && constraint.startsWith(table + '_') ? constraint.slice(table.length + 1) : constraint;
  return withoutTable.replace(/_(fkey|key|check|uniq)$/, '');
}

/** An ApiError for errors the client can act on (or retry); undefined for real failures (500). */
export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  const pg = error as PgError;
  switch (pg?.code) {
    case 'FLREF': // raised by fieldline_require_reference()
      return validationFailed([{ path: pg.detail ?? '', message: pg.message ?? 'No such object' }]);
    case '23503':
      return (pg.message ?? '').startsWith('update or delete')
        ? new ApiError(
            'conflict',
            `The object is still referenced by ${pg.table ?? 'other objects'}; remove those references first`,
          )
        : validationFailed([{ path: columnOf(pg.constraint, pg.table), message: 'No such object' }]);
    case '23505': {
      const column = columnOf(pg.constraint, pg.table);
      return new ApiError('conflict', `Another object already has this ${column || 'value'}`, {
        errors: [{ path: column, message: 'must be unique' }],
      });
    }
    case '23514':
      return validationFailed([{ path: columnOf(pg.constraint, pg.table), message: 'is not allowed' }]);
    case '22001':
      return validationFailed([{ path: '', message: 'A value is too long' }]);
    case '40001':
    case '40P01':
      return new ApiError('conflict', 'The object was changed concurrently; retry the request');
    case '57014':
      return new ApiError('service_unavailable', 'The query took too long; narrow it and retry');
    default:
      return undefined;
  }
}
