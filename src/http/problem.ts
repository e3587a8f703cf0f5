// Every error leaves as RFC 9457 problem details with the request id. Errors the client
// caused keep their message; a database that cannot be reached is a logged 503 with Retry-After;
// anything else is logged and answered with a bare 500.
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { ApiError } from '../platform/errors.ts';
import { toApiError } from '../platform/database-errors.ts';
import './context-variables.ts';

export function problemResponse(c: Context, error: ApiError): Response {
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json', ...error.extra.headers };
  const problem = error.toProblem(c.get('requestId') ?? 'unknown');
  const text = JSON.stringify(problem);
  c.set('problem', problem);
  c.set('bytesOut', Buffer.byteLength(text));
  return c.body(text, error.status as 400, headers);
}

function fromHttpException(error: HTTPException): ApiError {
  if (error.status === 413) return new ApiError('payload_too_large', 'The request body is larger than the limit');
  return new ApiError(error.status >= 500 ? 'internal_error' : 'bad_request', error.message || 'Bad request');
}

export function problemHandler(logger: Logger): ErrorHandler {
  return function handleProblem(error, c) {
    const apiError = error instanceof HTTPException ? fromHttpException(error) : toApiError(error);
    if (apiError?.code === 'database_unavailable')
      logger.warn({ err: error, request_id: c.get('requestId'), path: c.req.path }, 'database unavailable');
    if (apiError) return problemResponse(c, apiError);
    logger.error(
      { err: error, request_id: c.get('requestId'), method: c.req.method, path: c.req.path },
      'unhandled error',
    );
    return problemResponse(
      c,
      new ApiError('internal_error', 'Something went wrong on our side; the request id identifies it in our logs'),
    );
  };
}

export const notFoundHandler: NotFoundHandler = (c) =>
  problemResponse(c, new ApiError('not_found', `No route for ${c.req.method} ${c.req.path}`));
