// The deployment files (Dockerfile, .dockerignore, compose.yaml, deploy/nginx.conf) against the code
// they deploy, without a container engine: the command the image runs exists, its health check is
// a route that answers, the packages the bundle leaves outside it are production dependencies, and
// compose's services, nginx's upstream and the port agree. README.md, "Deployment", says what was
// built and run for real.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestContext, type TestContext } from './support/test-context.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's stages: instructions (continuation lines joined, comments dropped) after each FROM. */
function dockerfileStages(text: string): { name: string; instructions: Instruction[] }[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  const stages: { name: string; instructions: Instruction[] }[] = [];
  for (const line of lines) {
    const match = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!match || line.trim().startsWith('#')) continue;
    const [, keyword, args] = match;
    if (keyword === 'FROM') stages.push({ name: /\bAS\s+(\S+)/i.exec(args)?.[1] ?? '', instructions: [] });
    stages.at(-1)?.instructions.push({ keyword, args: args.trim() });
  }
  return stages;
}

const dockerfile = dockerfileStages(read('Dockerfile'));
const runtime = dockerfile.at(-1)!;
const only = (keyword: string) => {
  const found = runtime.instructions.filter((i) => i.keyword === keyword);
  assert.equal(found.length, 1, `the runtime stage has one ${keyword}`);
  return found[0].args;
};
const runtimeEnv = Object.fromEntries(
  runtime.instructions
    .filter((i) => i.keyword === 'ENV')
    .flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]])),
);
const packageJson = JSON.parse(read('package.json'));
const compose = read('compose.yaml');
const nginx = read('deploy/nginx.conf');

describe('Dockerfile', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext();
  });
  after(() => ctx?.close());

  test('builds in one stage and runs, as the unprivileged node user, from another', () => {
    assert.ok(dockerfile.length >= 2, 'multi-stage');
    assert.equal(runtime.name, 'runtime');
    assert.equal(only('USER'), 'node');
    assert.equal(runtimeEnv.HOST, '0.0.0.0', 'listens beyond the container');
    assert.equal(only('STOPSIGNAL'), 'SIGTERM', 'the signal the server drains on');
    const build = dockerfile.find((stage) => stage.name === 'build')!;
    assert.ok(
      build.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('npm run build')),
      'the build stage makes the bundle and the portal',
    );
    assert.match(packageJson.scripts.build, /build-server\.js.*build-portal\.js/);
  });

  test('runs `fieldline serve` from the files it copies, the build included', () => {
    assert.deepEqual(JSON.parse(only('CMD')), ['node', 'bin/fieldline.js', 'serve']);
    assert.ok(existsSync(join(ROOT, 'bin/fieldline.js')));
    assert.match(read('src/cli/main.ts'), /case 'serve':/);
    const copied = runtime.instructions
      .filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build'))
      .map((i) => i.args.split(/\s+/)[1].replace(/^\/app\//, ''));
    // bin/fieldline.js imports the freshness check and the loader (server-build.js); build/ and
    // web/dist/ are what `npm run build` writes.
    assert.deepEqual(copied.sort(), ['bin', 'build', 'scripts/server-build.js', 'web/dist']);
    assert.match(read('bin/fieldline.js'), /from '\.\.\/scripts\/server-build\.js'/);
    assert.match(read('bin/fieldline.js'), /loadServerBuild\(\)/);
    assert.match(read('scripts/server-build.js'), /BUILD_DIR = join\(ROOT, 'build'\)/, 'the bundle is in build/');
    assert.match(read('web/vite.config.ts'), /outDir:[^\n]*dist/);
  });

  test('its health check asks a route that answers', async () => {
    const check = only('HEALTHCHECK');
    const path = /127\.0\.0\.1:\$\{process\.env\.PORT\}(\/[^`'"]+)/.exec(check)?.[1];
    assert.equal(path, '/v1/health');
    assert.ok(runtimeEnv.PORT, 'PORT is set in the image, so the check knows it');
    assert.equal((await ctx.call('GET', path!)).status, 200);
  });

  test('installs every package the bundle loads at run time, without install scripts', () => {
    const script = read('scripts/build-server.js');
    const list = /const RUNTIME_PACKAGES = \[([\s\S]*?)\];/.exec(script)?.[1] ?? '';
    const kept = [...list.replace(/\/\/.*$/gm, '').matchAll(/'([^']+)'/g)]
      .map((m) => m[1])
      .filter((name) => name !== 'pg-native'); // pg's optional native driver, installed nowhere
    assert.ok(kept.includes('@electric-sql/pglite'), 'the list was read');
    for (const name of kept) assert.ok(packageJson.dependencies[name], `${name} is a production dependency`);
    assert.ok(packageJson.dependencies.tsx, 'bin/fieldline.js imports tsx when it runs the sources');
    const install = runtime.instructions.find((i) => i.keyword === 'RUN' && i.args.includes('npm ci'))!.args;
    assert.match(install, /--omit=dev/);
    assert.match(install, /--ignore-scripts/);
    const lock = JSON.parse(read('package-lock.json'));
    // Production dependencies with an install script, and why the image does without it: esbuild
    // (under tsx, which only runs the sources, never in the image) checks its platform binary;
    // vue-demi (under Scalar) picks a Vue version for Vue code, and the server sends only
    // Scalar's prebuilt browser script.
    const unneeded = (path: string) => /node_modules\/(esbuild|vue-demi)$/.test(path);
    const scripted = Object.entries(lock.packages as Record<string, { dev?: boolean; hasInstallScript?: boolean }>)
      .filter(([path, entry]) => entry.hasInstallScript && !entry.dev && !unneeded(path))
      .map(([path]) => path);
    assert.deepEqual(scripted, [], 'no production dependency needs its install script');
  });

  test('.dockerignore leaves out installed and built files, never what the build reads', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const path of ['node_modules', 'build', 'web/dist', '.fieldline', '.git'])
      assert.ok(ignored.includes(path), path);
    for (const path of ['src', 'web', 'sdk', 'sdk/typescript', 'scripts', 'bin', 'package.json', 'package-lock.json'])
      assert.ok(!ignored.includes(path), `${path} is needed by the build`);
  });
});

/** A top-level service of compose.yaml: its lines, up to the next service. */
function service(name: string): string {
  const match = new RegExp(`^  ${name}:(.*(?:\\n(?:    .*|\\s*))*)`, 'm').exec(compose);
  assert.ok(match, `compose.yaml has the service ${name}`);
  return match[1];
}

describe('compose.yaml and deploy/nginx.conf', () => {
  const apiNodes = ['api-1', 'api-2'];

  test('two API nodes from the Dockerfile, on the PostgreSQL and Redis services, behind a proxy', () => {
    const api = /^x-api: &api\n((?: {2}.*\n|\n)*)/m.exec(compose)?.[1] ?? '';
    for (const name of apiNodes) assert.match(service(name), /^\s*\*api\s*$/m);
    assert.match(api, /^ {2}build: \.$/m);
    assert.ok(existsSync(join(ROOT, 'Dockerfile')));
    assert.match(api, /DATABASE_URL: postgres:\/\/\w+:\w+@postgres:5432\/\w+/);
    assert.match(api, /REDIS_URL: redis:\/\/redis:6379/);
    assert.match(api, /FIELDLINE_TRUST_PROXY: '1'/);
    assert.match(api, /FIELDLINE_SECRET_KEY: \$\{FIELDLINE_SECRET_KEY:\?/, 'every node shares one secret key');
    assert.match(service('postgres'), /image: postgres:15/);
    assert.match(service('redis'), /image: redis:7/);
    for (const name of ['postgres', 'redis']) assert.match(service(name), /healthcheck:/);
    assert.match(api, /condition: service_healthy/);
  });

  test('the API nodes get longer to stop than the drain takes', () => {
    const api = /^x-api: &api\n((?: {2}.*\n|\n)*)/m.exec(compose)?.[1] ?? '';
    const drain = Number(/FIELDLINE_SHUTDOWN_TIMEOUT_SECONDS: '(\d+)'/.exec(api)?.[1]);
    const grace = Number(/stop_grace_period: (\d+)s/.exec(api)?.[1]);
    assert.ok(
      drain > 0 && grace >= drain + 2,
      `stop_grace_period ${grace} s covers the drain (${drain} s) and its margin`,
    );
  });

  test("nginx balances over the compose services at the image's port", () => {
    const nginxService = service('nginx');
    assert.match(nginxService, /- \.\/deploy\/nginx\.conf:\/etc\/nginx\/conf\.d\/default\.conf:ro/);
    const upstream = [...nginx.matchAll(/^\s*server\s+([\w-]+):(\d+)\b/gm)].map((m) => `${m[1]}:${m[2]}`);
    assert.deepEqual(
      upstream,
      apiNodes.map((name) => `${name}:${runtimeEnv.PORT}`),
    );
    const listen = /^\s*listen\s+(\d+);/m.exec(nginx)?.[1];
    assert.match(nginxService, new RegExp(`- '\\d+:${listen}'`), 'the published port is the one nginx listens on');
    for (const name of apiNodes) assert.match(nginxService, new RegExp(`${name}:\\n\\s+condition: service_healthy`));
    // Node's http server drops an idle keep-alive connection after 5 s (keepAliveTimeout): nginx must first.
    const idle = Number(/keepalive_timeout (\d+)s;/.exec(nginx)?.[1]);
    assert.ok(idle > 0 && idle < 5, `nginx drops idle upstream connections after ${idle} s, before the node`);
  });

  test('nginx accepts the configuration (when this machine has nginx)', (t) => {
    const nginxBinary = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path));
    if (!nginxBinary) return t.skip('nginx is not installed');
    const dir = mkdtempSync(join(tmpdir(), 'fieldline-nginx-'));
    try {
      // The compose service names resolve only inside compose: here they are this machine.
      writeFileSync(join(dir, 'default.conf'), nginx.replace(/\bapi-\d+:/g, '127.0.0.1:'));
      writeFileSync(
        join(dir, 'nginx.conf'),
        `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  access_log off;\n` +
          `  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n  include ${dir}/default.conf;\n}\n`,
      );
      const checked = spawnSync(nginxBinary, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
      assert.equal(checked.status, 0, checked.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
