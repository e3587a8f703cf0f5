// Whether a driver error means the database cannot be reached (rather than that a statement
// failed): the platform answers 503 for it, the read replica falls back to the primary.

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
