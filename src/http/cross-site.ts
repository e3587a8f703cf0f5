// A cookie rides along on any request a browser makes, even one a page of another site starts
// with a plain HTML form (form-encoded, multipart or no body at all, none of which needs a CORS
// preflight). So a state-changing call that a session cookie authenticates must come from a page
// this server trusts; browsers say where a request comes from (Origin, Sec-Fetch-Site), and a
// page's script cannot forge either. Bearer credentials are never sent by a browser on its own
// and need no such check. A request with neither header comes from no browser (browsers send
// Origin on every cross-site POST) and passes: whoever holds the cookie there is its owner.
import type { Context } from 'hono';
import { ApiError } from '../platform/errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface TrustedOrigins {
  /** The server's own origin: new URL(publicUrl).origin. */
  publicOrigin: string;
  /** Other origins whose pages may use the cookie (the portal's, the account's). */
  allows?: (origin: string) => boolean;
}

/** Whether a browser's write carrying a cookie comes from a page of a trusted origin. */
export function fromTrustedPage(c: Context, trusted: TrustedOrigins): boolean {
  if (SAFE_METHODS.has(c.req.method)) return true;
  const site = c.req.header('sec-fetch-site');
  const origin = c.req.header('origin');
  if (site === 'same-origin') return true; // set only by the browser, for a page of this very origin
  // The cookie is SameSite=Lax: a cross-site page never has it sent, so one that does is forged.
  if (site === 'cross-site') return false;
  if (origin === undefined) return site === undefined;
  // The origin the request was sent to is ours too (publicUrl names one address of several).
  const own = origin === trusted.publicOrigin || origin === new URL(c.req.url).origin;
  return own || trusted.allows?.(origin) === true;
}

/** Refuses (403) a state-changing request authenticated by a cookie unless it comes from a trusted page. */
export function refuseCrossSite(c: Context, trusted: TrustedOrigins, detail: string): void {
  if (!fromTrustedPage(c, trusted)) throw new ApiError('forbidden', detail);
}
