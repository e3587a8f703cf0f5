// The request's query string as URLSearchParams, parsed from the URL once per call site.
import type { Context } from 'hono';

export function queryOf(c: Context): URLSearchParams {
  const url = c.req.url;
  const queryStart = url.indexOf('?');
  return new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1));
}
