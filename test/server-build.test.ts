// The production build (scripts/build-server.js): the server compiles to one JavaScript file that
// serves without the tsx loader, finds its files (portal, fonts, docs) from where it lands, starts
// from V8's code cache made for that very file, and is used by bin/fieldline.js only while no
// source is newer than it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_FILE, CODE_CACHE_FILE, isServerBuildFresh, STAMP_FILE } from '../scripts/server-build.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('isServerBuildFresh', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fieldline-fresh-'));
    mkdirSync(join(dir, 'src', 'http'), { recursive: true });
    for (const file of ['main.ts', 'http/app.ts', 'http/app.test.ts']) writeFileSync(join(dir, 'src', file), '');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

  test('is false without a finished build, true once built after every source', () => {
    assert.equal(isServerBuildFresh(join(dir, 'src'), join(dir, 'build')), false);
    mkdirSync(join(dir, 'build'));
    for (const file of ['main.ts', 'http/app.ts', 'http/app.test.ts']) at(join(dir, 'src', file), 1_000);
    writeFileSync(join(dir, 'build', STAMP_FILE), '');
    at(join(dir, 'build', STAMP_FILE), 2_000);
    assert.equal(isServerBuildFresh(join(dir, 'src'), join(dir, 'build')), false, 'a stamp without the bundle');
    mkdirSync(join(dir, 'build', dirname(BUNDLE_FILE)));
    writeFileSync(join(dir, 'build', BUNDLE_FILE), '');
    assert.equal(isServerBuildFresh(join(dir, 'src'), join(dir, 'build')), true);
  });

  test('a test edited after the build leaves it fresh; a server source edited after it does not', () => {
    at(join(dir, 'src', 'http', 'app.test.ts'), 3_000);
    assert.equal(isServerBuildFresh(join(dir, 'src'), join(dir, 'build')), true);
    at(join(dir, 'src', 'http', 'app.ts'), 3_000);
    assert.equal(isServerBuildFresh(join(dir, 'src'), join(dir, 'build')), false);
  });

  test('an install without the sources (the container image) runs its build', () => {
    assert.equal(isServerBuildFresh(join(dir, 'no-src'), join(dir, 'build')), true);
    assert.equal(isServerBuildFresh(join(dir, 'no-src'), join(dir, 'no-build')), false);
  });
});

/** Plain node: not the test runner's child (its flags load tsx), not the suite's PostgreSQL. */
function plainEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['NODE_OPTIONS', 'NODE_TEST_CONTEXT', 'DATABASE_URL', 'REDIS_URL']) delete env[name];
  return env;
}

describe('the compiled server', () => {
  // A folder shaped like the project (package.json, node_modules, web/), with the build in build/.
  let home: string;
  let bundleFile: string;
  /** A script's first line: runs the build in `home` as bin/fieldline.js does. */
  let LOAD_BUILD: string;
  /** The code cache's inode as the build left it, before anything else loaded the bundle. */
  let builtCacheInode: number;
  let server: ChildProcess | undefined;
  let base: string;
  let key: string;
  let log = '';

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'fieldline-build-'));
    copyFileSync(join(ROOT, 'package.json'), join(home, 'package.json'));
    for (const shared of ['node_modules', 'web']) symlinkSync(join(ROOT, shared), join(home, shared));
    const built = spawnSync(
      process.execPath,
      [join(ROOT, 'scripts/build-server.js'), '--outdir', join(home, 'build')],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(built.status, 0, built.stderr);
    bundleFile = join(home, 'build', BUNDLE_FILE);
    builtCacheInode = statSync(join(home, 'build', CODE_CACHE_FILE)).ino; // the build wrote one (or this throws)
    const loader = new URL('../scripts/server-build.js', import.meta.url).href;
    LOAD_BUILD =
      `import { loadServerBuild } from ${JSON.stringify(loader)};` +
      `const { runCli } = loadServerBuild(${JSON.stringify(join(home, 'build'))});`;

    const run = `${LOAD_BUILD} process.exitCode = await runCli(['serve']);`;
    server = spawn(process.execPath, ['--input-type=module', '-e', run], {
      env: { ...plainEnv(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', FIELDLINE_DATA_DIR: join(home, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let listening: { port: number; code: string } | undefined;
    const read = (chunk: Buffer) => {
      log += chunk; // the demo key on stdout, the log (JSON lines) on stderr
      const line = log.split('\n').find((text) => text.includes('Fieldline listening') && text.endsWith('}'));
      if (line) listening ??= JSON.parse(line);
    };
    server.stdout!.on('data', read);
    server.stderr!.on('data', read);
    while (!listening) {
      if (server.exitCode !== null) assert.fail(`the compiled server exited: ${log}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(listening.code, 'build', 'the server says it runs the build, not the sources');
    base = `http://127.0.0.1:${listening.port}`;
    key = /FIELDLINE_API_KEY=(\S+)/.exec(log)?.[1] ?? '';
    assert.ok(key, 'the first start prints the demo key');
  });

  after(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
    rmSync(home, { recursive: true, force: true });
  });

  test('is one JavaScript file that requires only Node, the packages kept at run time and the SDK generator', () => {
    const bundle = readFileSync(bundleFile, 'utf8');
    const imported = new Set(
      // `require("pg")`, but not at the start of a string (\x60: a backquote); ajv's code generator
      // names its runtime so.
      [...bundle.matchAll(/(?<![\x60'"\w.$])require\(["']([^"']+)["']\)/g)].map((match) => match[1]),
    );
    const unexpected = [...imported].filter(
      (specifier) =>
        // A bundled package may name a builtin without the prefix (fflate: `from "module"`).
        !specifier.startsWith('node:') &&
        !isBuiltin(specifier) &&
        !['@electric-sql/pglite', 'pino', 'ioredis', 'openai', '@anthropic-ai/sdk', 'pg-native'].includes(specifier) &&
        specifier !== '../../sdk/typescript/scripts/generate.ts', // `generate` runs from the sources
    );
    assert.deepEqual(unexpected, []);
    assert.ok(imported.has('@electric-sql/pglite'), "the check reads the bundle's imports");
  });

  test('starts from the code cache the build made for that file; a changed file gets a new cache', () => {
    const cacheFile = join(home, 'build', CODE_CACHE_FILE);
    const digest = () => `sha256:${createHash('sha256').update(readFileSync(bundleFile)).digest('hex')}`;
    const load = () => {
      const loaded = spawnSync(process.execPath, ['--input-type=module', '-e', LOAD_BUILD], { env: plainEnv() });
      assert.equal(loaded.status, 0, String(loaded.stderr));
      return { inode: statSync(cacheFile).ino, madeFor: readFileSync(cacheFile, 'latin1').split('\n', 1)[0] };
    };
    const built = load();
    assert.equal(built.inode, builtCacheInode, 'the server and this process took the cache the build wrote');
    assert.equal(built.madeFor, digest(), 'the cache names the file it was made from');
    assert.equal(load().inode, built.inode, 'V8 took the cache: nothing was written again');

    // Another build of the same length: V8 alone, which checks the length, would take the old cache.
    const bundle = readFileSync(bundleFile, 'latin1');
    const renamed = bundle.replace(/(["'])Demo Company\1/, '$1Demo Compani$1');
    assert.ok(renamed !== bundle && renamed.length === bundle.length);
    writeFileSync(bundleFile, renamed, 'latin1');
    const remade = load();
    assert.notEqual(remade.inode, built.inode, 'a cache made for another file is not used, but replaced');
    assert.equal(remade.madeFor, digest());
    assert.equal(load().inode, remade.inode);
  });

  test('is ASCII and without comments: V8 holds the source as a string, two bytes a character if one needs it', () => {
    // One '’' in a regular expression made the 5 MB file a 10 MB string on the heap.
    const bundle = readFileSync(bundleFile, 'latin1');
    const wide = /[^\x00-\x7f]/.exec(bundle);
    assert.equal(wide, null, `non-ASCII near: ${wide && bundle.slice(wide.index - 60, wide.index + 20)}`);
    assert.doesNotMatch(bundle.slice(0, 200_000), /\n\s*\/\/ /, 'comments are left out');
  });

  test('answers the API, its docs and the portal', async () => {
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    assert.equal((await fetch(`${base}/v1/health`)).status, 200);
    const customers = await fetch(`${base}/v1/customers`, { headers });
    assert.equal(customers.status, 200);
    assert.ok(Array.isArray((await customers.json()).data));
    const docs = await fetch(`${base}/docs`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /<html/i);
    const portal = await fetch(`${base}/portal`);
    assert.equal(portal.status, 200, 'the portal is found from build/ as from src/');
    assert.match(await portal.text(), /<div id="root"/);
  });

  test('prints a PDF: a package loaded on first use (pdfkit, its fonts) is found from build/', async () => {
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const customer = await fetch(`${base}/v1/customers`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'Mary Jones', email: 'mary@example.com' }),
    })
      .then((response) => response.json())
      .then((body) => body.data);
    const invoice = await fetch(`${base}/v1/invoices`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        customer_id: customer.id,
        currency: 'USD',
        line_items: [{ description: 'Water heater', quantity: 1, unit_amount: 120_000 }],
      }),
    })
      .then((response) => response.json())
      .then((body) => body.data);
    assert.ok(invoice?.id, JSON.stringify(invoice));
    const pdf = await fetch(`${base}/v1/invoices/${invoice.id}/pdf`, { headers });
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.equal(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
      '%PDF-',
    );
  });
});
