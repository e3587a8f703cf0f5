// Database errors a client caused, turned into API errors. Constraint names follow the
// DDL's convention ({table}_{column}_fkey / _key), so the field can be named without SQL text.
// A database that cannot be reached is 503 database_unavailable: the client retries.
import { ApiError, validationFailed } from './errors.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';

/** What a client is told to wait before retrying while the database is away (pools reconnect within ~1 s). */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

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
