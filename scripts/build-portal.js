#!/usr/bin/env node
// Builds the developer portal (web/) into web/dist, which the server serves at /portal. Runs as
// npm's `prepare` step, so `npm ci` leaves a working portal. An install without dev dependencies
// (no Vite) skips it and says so: the API works without the portal.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let vite;
try {
  vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
} catch {
  console.warn('fieldline: Vite is not installed (dev dependencies omitted); the developer portal is not built.');
  process.exit(0);
}
// Extra arguments go to Vite, e.g. `--outDir /tmp/portal` for a build of one's own.
const result = spawnSync(
  process.execPath,
  [vite, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
