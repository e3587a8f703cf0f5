// Reads a JSON request body: size limit (413), content type (415), syntax (400).
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../platform/errors.ts';
import './context-variables.ts';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

const isJson = (contentType: string | undefined) => !!contentType && /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(contentType);

/** `optional`: an empty body is allowed (actions without input). */
export function jsonBody(options: { maxBytes: number; optional: boolean }): MiddlewareHandler[] {
  const limit = bodyLimit({
    maxSize: options.maxBytes,
    onError: () => { throw new ApiError('payload_too_large', `The request body exceeds ${options.maxBytes} bytes`); },
  });
  const parse: MiddlewareHandler = async function parseJsonBody(c, next) {
    const text = await c.req.text();
    if (text.trim() === '') {
      if (!options.optional) throw new ApiError('bad_request', 'This request needs a JSON object body');
      c.set('body', {});
      return next();
    }
    if (!isJson(c.req.header('content-type'))) {
      throw new ApiError('unsupported_media_type', 'Send the body as JSON with `Content-Type: application/json`');
    }
    try {
      c.set('body', JSON.parse(text));
    } catch (error) {
      throw new ApiError('bad_request', `The body is not valid JSON: ${(error as Error).message}`);
    }
    await next();
  };
  return [limit, parse];
}
