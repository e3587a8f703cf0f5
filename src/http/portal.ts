// /portal: the developer portal's static build (web/dist), and /c/{account_id}: the customer
// pages of the same build. Hashed assets are cached for a year; every other path under either is
// its single page (index.html, customer.html), whose code shows the page.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Hono } from 'hono';

export const PORTAL_PATH = '/portal';
export const CUSTOMER_PAGES_PATH = '/c';
export const DEFAULT_PORTAL_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

/**
 * The page only loads what our own origin serves. Scalar (the embedded reference) sets inline
 * styles, hence 'unsafe-inline' for styles only; scripts never run inline.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

/** Only names the build makes: no path separators, no dot-dot. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/**
 * The developer portal's page says whether its request carried a session cookie (a meta tag),
 * so that a visitor without one is shown as signed out at once: no GET /v1/auth/session that
 * could only answer 401 (which the browser logs as an error on every public page).
 */
const SESSION_HINT = '<meta name="fieldline-session" content="cookie">';

export function mountPortal(
  app: Hono,
  directory = DEFAULT_PORTAL_DIR,
  sessionCookie: (cookieHeader: string | undefined) => string | null = () => null,
): void {
  const files = new Map<string, Promise<Buffer | null>>();
  const read = (path: string) => {
    let file = files.get(path);
    if (!file) {
      file = readFile(path).catch(() => null);
      files.set(path, file);
    }
    return file;
  };

  app.get(`${PORTAL_PATH}/assets/:name`, async (c) => {
    const name = c.req.param('name');
    const body = ASSET_NAME.test(name) ? await read(join(directory, 'assets', name)) : null;
    if (!body) return c.text('Not found', 404);
    return c.body(new Uint8Array(body), 200, {
      'Content-Type': CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });

  /** A single-page app's HTML: the developer portal's (`hint`: with the session hint), or the customer pages'. */
  const page =
    (file: string, what: string, hint = false) =>
    async (c: Context) => {
      const html = await read(join(directory, file));
      if (!html) {
        files.delete(join(directory, file));
        return c.text(
          `The ${what} are not built${existsSync(directory) ? '' : ` (no ${directory})`}: ` +
            `run \`npm run build:portal\`.`,
          503,
        );
      }
      const withHint =
        hint && sessionCookie(c.req.header('cookie'))
          ? Buffer.from(html.toString('utf8').replace('<head>', `<head>${SESSION_HINT}`))
          : html;
      return c.body(new Uint8Array(withHint), 200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-cache',
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'Referrer-Policy': 'no-referrer',
      });
    };
  const portal = page('index.html', 'developer portal pages', true);
  // The server's front door is the portal; API clients start at /v1.
  app.get('/', (c) => c.redirect(PORTAL_PATH));
  app.get(PORTAL_PATH, portal);
  app.get(`${PORTAL_PATH}/*`, portal);
  // An account's customers sign in and find their records at /c/{slug or account_id} (a link's token
  // rides in the fragment, which never reaches the server or a log).
  const customerPages = page('customer.html', 'customer pages');
  app.get(`${CUSTOMER_PAGES_PATH}/:account`, customerPages);
  app.get(`${CUSTOMER_PAGES_PATH}/:account/*`, customerPages);
}
