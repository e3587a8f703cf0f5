#!/usr/bin/env node
// Compiles the server (src/, TypeScript) and the packages it loads at start into one JavaScript file,
// build/cli/main.cjs, so `npm start` serves without the tsx loader and without resolving and reading
// some thousands of module files: measured in bench/README.md ("Compiled start"). Runs in npm's
// `prepare` step. The file sits two folders deep like every src/ module that finds files from its
// own URL (src/http/portal.ts: ../../web/dist), so those paths stay true.
// Tests and development run the sources through tsx; bin/fieldline.js uses the build only while no
// source file is newer than it (isServerBuildFresh in scripts/server-build.js).
// `--outdir DIR` builds elsewhere (a test builds into a folder of its own).
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BUILD_DIR,
  BUNDLE_FILE,
  CODE_CACHE_FILE,
  SOURCE_DIR,
  STAMP_FILE,
  hasCurrentCodeCache,
} from './server-build.js';

/** Packages loaded from node_modules at run time rather than compiled in, and why. */
const RUNTIME_PACKAGES = [
  '@electric-sql/pglite', // reads its WebAssembly and data files from beside its own module
  'pino', // its transports start workers from files beside its own module (__dirname)
  'ioredis', // names its own folder (__dirname) when it shortens error stacks
  'openai', // imported on a provider's first call (src/ai): not part of the start
  '@anthropic-ai/sdk', // the same
  'pg-native', // pg's optional native driver, not installed
];
// Packages loaded through src/platform/lazy-require.ts are required by name at run time already.

const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
const outdir = values.outdir ? resolve(values.outdir) : BUILD_DIR;

const require = createRequire(import.meta.url);
let esbuild;
try {
  esbuild = require('esbuild');
} catch {
  console.warn('fieldline: esbuild is not installed (dev dependencies omitted); the server runs through tsx.');
  process.exit(0);
}

/** A relative import that leaves src/ (the SDK generator, a developer-only import) stays as written. */
const keepImportsOutsideSources = {
  name: 'keep-imports-outside-sources',
  setup(build) {
    const outside = (path) => relative(SOURCE_DIR, path).startsWith('..');
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (outside(args.importer)) return undefined; // a package's own files are compiled in
      return outside(resolve(args.resolveDir, args.path)) ? { path: args.path, external: true } : undefined;
    });
  },
};

const started = performance.now();
rmSync(outdir, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: [join(SOURCE_DIR, 'cli', 'main.ts')],
  outfile: join(outdir, BUNDLE_FILE),
  bundle: true,
  external: RUNTIME_PACKAGES,
  plugins: [keepImportsOutsideSources],
  // CommonJS, not an ES module: Node 20 compiles a script from V8's code cache (loadServerBuild in
  // server-build.js), a module never. Our modules' import.meta.url is the bundle's own URL, as it was
  // when the bundle was an ES module; import() becomes require(), as a script has no module loader.
  format: 'cjs',
  define: { 'import.meta.url': 'bundleUrl' },
  supported: { 'dynamic-import': false },
  banner: { js: "'use strict';const bundleUrl=require('node:url').pathToFileURL(__filename).href;" },
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked', // `node --enable-source-maps` names src/ lines in stacks
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
});
// The first code cache: running the bundle once writes it (a read-only install cannot write it later).
// Plain node: flags from NODE_OPTIONS (tsx's loader, --enable-source-maps, a V8 flag) would write no
// cache, or one that V8 refuses in `npm start`.
const cached = spawnSync(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `import { loadServerBuild } from ${JSON.stringify(new URL('./server-build.js', import.meta.url).href)};
     loadServerBuild(${JSON.stringify(outdir)});`,
  ],
  { env: { ...process.env, NODE_OPTIONS: '' } },
);
if (cached.status !== 0) throw new Error(`the compiled server does not load: ${cached.stderr}`);
if (!hasCurrentCodeCache(outdir)) throw new Error(`no code cache for the bundle was written (${CODE_CACHE_FILE})`);
writeFileSync(join(outdir, STAMP_FILE), `${new Date().toISOString()}\n`);
const modules = Object.keys(result.metafile.inputs).length;
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const written = relative(process.cwd(), join(outdir, BUNDLE_FILE));
console.log(`fieldline: compiled the server (${modules} modules) to ${written} in ${seconds} s`);
