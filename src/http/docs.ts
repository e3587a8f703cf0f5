// /openapi.json and /docs: the interactive reference (Scalar), its script served from our
// own node_modules so the page works offline.
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Hono } from 'hono';

const require = createRequire(import.meta.url);

// Self-contained: the system fonts instead of Scalar's font host, no request proxy (Try it
// calls this server directly), no vendor toolbar, AI agent or telemetry.
const REFERENCE_CONFIGURATION = {
  withDefaultFonts: false,
  showDeveloperTools: 'never',
  agent: { disabled: true },
  telemetry: false,
  hideClientButton: false,
};

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Fieldline API reference</title>
</head>
<body>
  <script id="api-reference" data-url="/openapi.json"
    data-configuration='${JSON.stringify(REFERENCE_CONFIGURATION)}'></script>
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
    // The package exports no path to its browser bundle: it sits beside its entry point.
    script ??= readFile(join(dirname(require.resolve('@scalar/api-reference')), 'browser', 'standalone.js'));
    return c.body(new Uint8Array(await script), 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=86400',
    });
  });
}
