// Where the compiled server lives and whether it is current; shared by the build script and the bin.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SOURCE_DIR = join(ROOT, 'src');
export const BUILD_DIR = join(ROOT, 'build');
/** Written last by the build, in its folder: its time is when the build finished. */
export const STAMP_FILE = '.built-at';

/** A file of the server (relative to src/): TypeScript that is not a test. */
export const isServerSource = (path) => path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts');

/**
 * True when `buildDir` holds a complete build and no server source in `sourceDir` changed after it:
 * a checkout being edited falls back to the sources instead of serving yesterday's code.
 */
export function isServerBuildFresh(sourceDir = SOURCE_DIR, buildDir = BUILD_DIR) {
  const stamp = join(buildDir, STAMP_FILE);
  if (!existsSync(stamp)) return false;
  // An install without the sources (the container image, Dockerfile) has only the build to run.
  if (!existsSync(sourceDir)) return true;
  const builtAt = statSync(stamp).mtimeMs;
  for (const entry of readdirSync(sourceDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !isServerSource(entry.name)) continue;
    if (statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs > builtAt) return false;
  }
  return true;
}
