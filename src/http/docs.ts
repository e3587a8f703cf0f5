// /openapi.json and /docs: the interactive reference (Scalar), its script served from our
// own node_modules so the page works offline.
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import type { Hono } from 'hono';

const require = createRequire(import.meta.url);

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Fieldline API reference</title>
</head>
<body>
  <script id="api-reference" data-url="/openapi.json"></script>
  <script src="/docs/scalar.js"></script>
</body>
</html>`;

/** `document`: the OpenAPI document, built on the first request for it. */
export function mountDocs(app: Hono, document: () => object): void {
  let json: string | undefined;
  let script: Promise<Buffer> | undefined;
  app.get('/openapi.json', (c) =>
    c.body((json ??= JSON.stringify(document())), 200, { 'Content-Type': 'application/json; charset=utf-8' }),
  );
  app.get('/docs', (c) => c.html(DOCS_PAGE));
  app.get('/docs/scalar.js', async (c) => {
    script ??= readFile(require.resolve('@scalar/api-reference/browser/standalone.js'));
    return c.body(new Uint8Array(await script), 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=86400',
    });
  });
}
