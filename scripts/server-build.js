// Where the compiled server lives, whether it is current, and how it is loaded; shared by the build
// script and the bin.
import {
  accessSync,
  constants,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SOURCE_DIR = join(ROOT, 'src');
export const BUILD_DIR = join(ROOT, 'build');
/** Written last by the build, in its folder: its time is when the build finished. */
export const STAMP_FILE = '.built-at';
/** The bundle, relative to the build folder: two folders deep, as every src/ module is. */
export const BUNDLE_FILE = join('cli', 'main.cjs');
/** V8's code cache for the bundle, beside it: a first line naming the bundle it was made from, then V8's bytes. */
export const CODE_CACHE_FILE = `${BUNDLE_FILE}.v8-cache`;

/** The cache's first line for a bundle of these bytes. */
const cacheHeaderFor = (bundle) => `sha256:${createHash('sha256').update(bundle).digest('hex')}\n`;

/** Whether `buildDir` holds a code cache made from its bundle as it is now (the build checks it wrote one). */
export function hasCurrentCodeCache(buildDir = BUILD_DIR) {
  const cache = readIfThere(join(buildDir, CODE_CACHE_FILE));
  const header = cacheHeaderFor(readFileSync(join(buildDir, BUNDLE_FILE)));
  return cache?.subarray(0, header.length).toString() === header;
}

/** A file of the server (relative to src/): TypeScript that is not a test. */
export const isServerSource = (path) => path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts');

/**
 * True when `buildDir` holds a complete build and no server source in `sourceDir` changed after it:
 * a checkout being edited falls back to the sources instead of serving yesterday's code.
 */
export function isServerBuildFresh(sourceDir = SOURCE_DIR, buildDir = BUILD_DIR) {
  const stamp = join(buildDir, STAMP_FILE);
  if (!existsSync(stamp) || !existsSync(join(buildDir, BUNDLE_FILE))) return false;
  // An install without the sources (the container image, Dockerfile) has only the build to run.
  if (!existsSync(sourceDir)) return true;
  const builtAt = statSync(stamp).mtimeMs;
  for (const entry of readdirSync(sourceDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !isServerSource(entry.name)) continue;
    if (statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs > builtAt) return false;
  }
  return true;
}

/**
 * Runs the bundle (CommonJS) and returns its exports, compiled from V8's code cache beside it when
 * that cache was made from this very file. Node 20 caches no compiled code of its own: compiling the
 * 4 MB bundle was ~150 ms of every start (bench/README.md, "Code cache"). A missing or refused cache
 * is written anew after the bundle has run, when the folder is writable; the build writes the first.
 * V8 checks a cache against the source's length only, so the cache starts with the file's SHA-256
 * (~2 ms): a copy keeps its cache (an image's COPY need not keep file times), a new build never
 * takes an old one.
 */
export function loadServerBuild(buildDir = BUILD_DIR) {
  const file = join(buildDir, BUNDLE_FILE);
  // Node maps stack traces (--enable-source-maps) only through files its own loader compiled.
  if (process.sourceMapsEnabled) return createRequire(import.meta.url)(file);
  const cacheFile = join(buildDir, CODE_CACHE_FILE);
  const bytes = readFileSync(file);
  const madeFor = cacheHeaderFor(bytes);
  const stored = readIfThere(cacheFile);
  const cachedData =
    stored?.subarray(0, madeFor.length).toString() === madeFor ? stored.subarray(madeFor.length) : undefined;
  // What Node's CommonJS loader wraps a file in, on its first line: stack traces keep the bundle's lines.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${bytes.toString('utf8')}\n})`;
  const script = new Script(wrapped, { filename: file, cachedData });
  const bundle = { exports: {} };
  script.runInThisContext().call(bundle.exports, bundle.exports, createRequire(file), bundle, file, dirname(file));
  if ((!cachedData || script.cachedDataRejected) && isWritable(dirname(file))) {
    const fresh = `${cacheFile}.${randomUUID()}`;
    try {
      writeFileSync(fresh, Buffer.concat([Buffer.from(madeFor), script.createCachedData()]), { flag: 'wx' });
      renameSync(fresh, cacheFile); // whole or not at all, whoever else starts now
    } catch {
      rmSync(fresh, { force: true }); // a full disk: the next start tries again
    }
  }
  return bundle.exports;
}

/** The file's bytes, or undefined when it is not there (or went away meanwhile: a rebuild). */
function readIfThere(path) {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** A read-only install (the image's build/) starts without a cache: slower, nothing else. */
function isWritable(dir) {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
