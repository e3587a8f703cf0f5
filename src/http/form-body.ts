// Bodies read as the operation declares them besides JSON and uploads: an HTML form
// (`application/x-www-form-urlencoded`, one value per field) or the exact text a provider
// signed. Both keep the bytes, so a protocol handler can be given the request as it came.
import type { MiddlewareHandler } from 'hono';
import { ApiError, badRequest, validationFailed } from '../platform/errors.ts';
import { readBodyBytes, unstorableStrings } from './json-body.ts';
import './context-variables.ts';

export function formBody(options: { maxBytes: number }): MiddlewareHandler {
  return async function parseFormBody(c, next) {
    const bytes = await readBodyBytes(c, options.maxBytes);
    c.set('rawBody', bytes);
    if (bytes.byteLength && !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
      // A page's form, not an API body: a client that sent something else gets a bad request.
      throw new ApiError('bad_request', 'Expected a form (application/x-www-form-urlencoded)');
    }
    const fields: Record<string, string> = {};
    for (const [name, value] of new URLSearchParams(bytes.toString('utf8'))) {
      if (name in fields)
        throw badRequest(`${name}: given more than once`, [{ path: name, message: 'given more than once' }]);
      fields[name] = value;
    }
    // As for JSON bodies: text PostgreSQL cannot store is refused before anything reads it.
    const unstorable = unstorableStrings(fields);
    if (unstorable.length) throw validationFailed(unstorable);
    c.set('body', fields);
    await next();
  };
}

export function textBody(options: { maxBytes: number }): MiddlewareHandler {
  return async function readTextBody(c, next) {
    const bytes = await readBodyBytes(c, options.maxBytes);
    c.set('rawBody', bytes);
    await next();
  };
}
