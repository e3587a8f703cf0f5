// /portal: the developer portal's static build (web/dist). Hashed assets are cached for a year;
// every other path under /portal is the single page (index.html), whose router shows the page.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Hono } from 'hono';

export const PORTAL_PATH = '/portal';
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

export function mountPortal(app: Hono, directory = DEFAULT_PORTAL_DIR): void {
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

  const page = async (c: Context) => {
    const index = await read(join(directory, 'index.html'));
    if (!index) {
      files.delete(join(directory, 'index.html'));
      return c.text(
        `The developer portal is not built${existsSync(directory) ? '' : ` (no ${directory})`}: ` +
          `run \`npm run build:portal\`.`,
        503,
      );
    }
    return c.body(new Uint8Array(index), 200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    });
  };
  // The server's front door is the portal; API clients start at /v1.
  app.get('/', (c) => c.redirect(PORTAL_PATH));
  app.get(PORTAL_PATH, page);
  app.get(`${PORTAL_PATH}/*`, page);
}
