// Reads a JSON request body: size limit (413), content type (415), syntax and nesting (400).
import { nodeRequest } from './node-request.ts';
import { UNSTORABLE_TEXT } from '../platform/storable-text.ts';
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError, validationFailed, type FieldError } from '../platform/errors.ts';
import './context-variables.ts';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Arrays and objects nested deeper than this are refused: no operation takes them, and walking one costs stack. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`, read before parsing so a
 * hostile body is refused without being built. Brackets inside strings are text.
 */
export function jsonNestingExceeds(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // a backslash: the next character is escaped
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return false;
}

const isJson = (contentType: string | undefined) =>
  !!contentType && /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(contentType);

/**
 * Strings PostgreSQL cannot store (text and jsonb reject U+0000; an unpaired UTF-16 surrogate
 * is not Unicode), anywhere in a parsed body: their field paths, at most 20. Iterative, so a
 * deeply nested body cannot overflow the stack.
 */
export function unstorableStrings(body: unknown): FieldError[] {
  const found: FieldError[] = [];
  const stack: [unknown, string][] = [[body, '']];
  const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));
  while (stack.length && found.length < 20) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (UNSTORABLE_TEXT.test(value))
        found.push({ path, message: 'contains a NUL character or an unpaired surrogate, which cannot be stored' });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], join(path, i)]);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value).reverse()) {
        if (UNSTORABLE_TEXT.test(key))
          found.push({ path, message: 'a key contains a NUL character or an unpaired surrogate' });
        else stack.push([item, join(path, key)]);
      }
    }
  }
  return found;
}

/**
 * The body as text, refused as soon as it passes `maxBytes` (declared or streamed). Under
 * @hono/node-server it reads the Node request directly: wrapping it in a web Request just to
 * count bytes (hono/body-limit) cost about 60 µs per write.
 */
export async function readBodyText(c: Context, maxBytes: number): Promise<string> {
  return (await readBodyBytes(c, maxBytes)).toString('utf8');
}

/** The body's bytes, refused (413) as soon as it passes `maxBytes`. */
export async function readBodyBytes(c: Context, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new ApiError('payload_too_large', `The request body exceeds ${maxBytes} bytes`);
  if (Number(c.req.header('content-length') ?? 0) > maxBytes) throw tooLarge();
  const incoming = nodeRequest(c);
  const source = (incoming ?? c.req.raw.body) as AsyncIterable<Uint8Array> | null;
  if (!source) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError('bad_request', 'The request body ended before it was complete');
  }
  return Buffer.concat(chunks);
}

/** `optional`: an empty body is allowed (actions without input). */
export function jsonBody(options: { maxBytes: number; optional: boolean }): MiddlewareHandler {
  return async function parseJsonBody(c, next) {
    const text = await readBodyText(c, options.maxBytes);
    if (text.trim() === '') {
      if (!options.optional) throw new ApiError('bad_request', 'This request needs a JSON object body');
      c.set('body', {});
      return next();
    }
    if (!isJson(c.req.header('content-type'))) {
      throw new ApiError('unsupported_media_type', 'Send the body as JSON with `Content-Type: application/json`');
    }
    if (jsonNestingExceeds(text))
      throw new ApiError('bad_request', `The body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new ApiError('bad_request', `The body is not valid JSON: ${(error as Error).message}`);
    }
    const unstorable = unstorableStrings(body);
    if (unstorable.length) throw validationFailed(unstorable);
    c.set('body', body);
    await next();
  };
}
