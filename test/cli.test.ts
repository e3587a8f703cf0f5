// The `fieldline` command as a user runs it, on embedded PGlite in a temporary data folder
// (DATABASE_URL is left out even when the suite runs against PostgreSQL). Commands run in
// process (runCli, what bin/fieldline.js runs) where a child proves nothing more; the server runs
// as the real bin in a child process: its start, its signals and its hold on the folder are
// what a second process meets.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli/main.ts';

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = join(REPO_ROOT, 'bin', 'fieldline.js');
/** PGlite opens in 2-5 s on a quiet machine; a loaded CI box can take much longer. */
const PROCESS_TIMEOUT_MS = 180_000;

const children = new Set<ChildProcess>();
const folders: string[] = [];

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fieldline-cli-test-'));
  folders.push(dir);
  return dir;
}

function childEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FIELDLINE_DATA_DIR: dataDir, LOG_LEVEL: 'info', ...extra };
  delete env.DATABASE_URL;
  delete env.NODE_OPTIONS; // the test runner's own flags are not the CLI's
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function start(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command in this process with `env` set for its duration (commands read their
 * configuration from the environment), as bin/fieldline.js would.
 */
async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
  Object.assign(process.env, env);
  try {
    const code = await runCli(args, {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
    });
    return { code, signal: null, stdout, stderr };
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

interface Server {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `fieldline serve` on a free port and waits for its "listening" log line. */
async function startServer(dataDir: string): Promise<Server> {
  const child = start(['serve'], childEnv(dataDir, { PORT: '0', HOST: '127.0.0.1' }));
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk) => {
    stdout += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server did not log 'listening' in ${PROCESS_TIMEOUT_MS} ms\nstderr: ${stderr}`)),
      PROCESS_TIMEOUT_MS,
    );
    child.stderr!.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
      for (const line of stderr.split('\n')) {
        if (!line.includes('listening')) continue;
        clearTimeout(timer);
        resolvePort(JSON.parse(line).port);
        return;
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening\nstderr: ${stderr}`));
    });
  });
  assert.ok(Number.isInteger(port) && port > 0, `the log line names the port: ${port}`);
  return { child, port, stdout: () => stdout, stderr: () => stderr, exited };
}

async function stopServer(server: Server): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  server.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the server did not stop after SIGTERM')), PROCESS_TIMEOUT_MS);
  });
  // Cleared either way: a pending timer would keep this file's process alive for minutes after its tests.
  return Promise.race([server.exited, timeout]).finally(() => clearTimeout(timer));
}

const api = (server: Server, path: string, key?: string) =>
  fetch(`http://127.0.0.1:${server.port}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

after(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe('fieldline openapi', () => {
  test('prints the OpenAPI 3.1 document as JSON on stdout', { timeout: PROCESS_TIMEOUT_MS }, async () => {
    const result = await cli(['openapi'], childEnv(newDataDir()));
    assert.equal(result.code, 0, result.stderr);
    const document = JSON.parse(result.stdout);
    assert.equal(document.openapi, '3.1.0');
    assert.equal(document.info.title, 'Fieldline API');
    assert.ok(Object.keys(document.paths).length > 0, 'the document has paths');
    assert.ok(document.paths['/v1/customers'], 'customers are documented');
    assert.ok(
      document.paths['/v1/usage'] && document.paths['/v1/rate-limit'],
      'and the platform endpoints, as the server serves them',
    );
  });

  test(
    '--output writes the same document to a file and nothing to stdout',
    { timeout: PROCESS_TIMEOUT_MS },
    async () => {
      const dir = newDataDir();
      const file = join(dir, 'openapi.json');
      const result = await cli(['openapi', '--output', file], childEnv(dir));
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, '');
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).openapi, '3.1.0');
    },
  );
});

describe('fieldline usage', () => {
  test('--help prints the usage and succeeds', { timeout: PROCESS_TIMEOUT_MS }, async () => {
    const result = await cli(['--help'], childEnv(newDataDir()));
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: fieldline/);
  });

  test('no command prints the usage and fails', { timeout: PROCESS_TIMEOUT_MS }, async () => {
    const result = await cli([], childEnv(newDataDir()));
    assert.notEqual(result.code, 0);
    assert.match(result.stdout + result.stderr, /Usage: fieldline/);
  });

  test('an unknown command fails with the usage', { timeout: PROCESS_TIMEOUT_MS }, async () => {
    const result = await cli(['frobnicate'], childEnv(newDataDir()));
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Unknown command: frobnicate/);
    assert.match(result.stderr, /Usage: fieldline/);
  });
});

describe('fieldline accounts create', () => {
  let dataDir: string;
  before(() => {
    dataDir = newDataDir();
  });

  test(
    'without --name it fails with a usage message and touches no database',
    { timeout: PROCESS_TIMEOUT_MS },
    async () => {
      const fresh = newDataDir();
      const result = await cli(['accounts', 'create', '--json'], childEnv(fresh));
      assert.notEqual(result.code, 0);
      assert.equal(result.stdout, '', 'nothing on stdout');
      assert.match(result.stderr, /--name/);
      assert.match(result.stderr, /Usage: fieldline/);
      assert.equal(existsSync(join(fresh, 'pgdata')), false, 'no database was created');
    },
  );

  test('a blank --name is refused like a missing one', { timeout: PROCESS_TIMEOUT_MS }, async () => {
    const result = await cli(['accounts', 'create', '--name', '   ', '--json'], childEnv(newDataDir()));
    assert.notEqual(result.code, 0);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /--name/);
  });

  test('an unknown --mode is refused', { timeout: PROCESS_TIMEOUT_MS }, async () => {
    const result = await cli(['accounts', 'create', '--name', 'Acme', '--mode', 'staging'], childEnv(newDataDir()));
    assert.notEqual(result.code, 0);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /--mode/);
  });

  test(
    '--json prints exactly one JSON line: the account and its owner key',
    { timeout: PROCESS_TIMEOUT_MS },
    async () => {
      const result = await cli(['accounts', 'create', '--name', 'Acme', '--json'], childEnv(dataDir));
      assert.equal(result.code, 0, result.stderr);
      assert.ok(result.stdout.endsWith('\n'), 'the line is terminated');
      const lines = result.stdout.split('\n').filter((line) => line !== '');
      assert.equal(lines.length, 1, `exactly one line on stdout: ${JSON.stringify(result.stdout)}`);
      const created = JSON.parse(lines[0]);
      assert.match(created.account.id, /^acct_[0-9A-Z]{26}$/);
      assert.equal(created.account.name, 'Acme');
      assert.equal(created.account.object, 'account');
      assert.match(created.api_key, /^fl_live_[0-9A-Za-z]{44}$/);
      assert.deepEqual(Object.keys(created).sort(), ['account', 'api_key']);
    },
  );

  test(
    '--mode test makes a test key; without --json the output is for people',
    { timeout: PROCESS_TIMEOUT_MS },
    async () => {
      const result = await cli(['accounts', 'create', '--name', 'Test Co', '--mode', 'test'], childEnv(dataDir));
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /acct_[0-9A-Z]{26}/);
      assert.match(result.stdout, /"Test Co"/);
      assert.match(result.stdout, /fl_test_[0-9A-Za-z]{44}/);
    },
  );

  test(
    "--plan sets the account's plan; an unknown plan is a usage error",
    { timeout: PROCESS_TIMEOUT_MS },
    async () => {
      const refused = await cli(['accounts', 'create', '--name', 'Gold Co', '--plan', 'gold'], childEnv(dataDir));
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /--plan is one of free, standard, enterprise/);
      const created = await cli(
        ['accounts', 'create', '--name', 'Free Co', '--plan', 'free', '--json'],
        childEnv(dataDir),
      );
      assert.equal(created.code, 0, created.stderr);
      const { account } = JSON.parse(created.stdout);
      assert.equal(account.plan, 'free');
    },
  );

  test('the command leaves the data folder unlocked', { timeout: PROCESS_TIMEOUT_MS }, async () => {
    assert.equal(existsSync(join(dataDir, 'fieldline.lock')), false);
  });
});

describe('fieldline serve and the data folder', () => {
  let dataDir: string;
  let server: Server | undefined;
  let demoKey: string;
  let cliKey: string;

  before(() => {
    dataDir = newDataDir();
  });
  after(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null)
      await stopServer(server).catch(() => server!.child.kill('SIGKILL'));
  });

  test(
    'the first start on an empty folder prints a demo API key, and it works',
    { timeout: PROCESS_TIMEOUT_MS * 2 },
    async () => {
      server = await startServer(dataDir);
      const match = /export FIELDLINE_API_KEY=(fl_live_[0-9A-Za-z]{44})\n/.exec(server.stdout());
      assert.ok(match, `stdout shows a demo key: ${server.stdout()}`);
      demoKey = match[1];
      const res = await api(server, '/v1/customers', demoKey);
      assert.equal(res.status, 200, await res.clone().text());
      const body = (await res.json()) as any;
      assert.ok(Array.isArray(body.data));
      assert.equal((await api(server, '/v1/customers')).status, 401, 'the API still needs a key');
    },
  );

  test(
    'the log line is JSON on stderr; stdout holds only the demo-key notice',
    { timeout: PROCESS_TIMEOUT_MS },
    async () => {
      const line = server!
        .stderr()
        .split('\n')
        .find((l) => l.includes('listening'))!;
      const log = JSON.parse(line);
      assert.equal(log.port, server!.port);
      assert.equal(log.database, 'pglite');
      assert.equal(server!.stdout().match(/fl_live_/g)?.length, 1, 'the key once, in a line to paste');
      assert.match(server!.stdout(), /curl -H "Authorization: Bearer \$FIELDLINE_API_KEY"/);
    },
  );

  test(
    'while the server holds the folder, accounts create fails and names the server',
    { timeout: PROCESS_TIMEOUT_MS },
    async () => {
      const result = await cli(['accounts', 'create', '--name', 'Intruder', '--json'], childEnv(dataDir));
      assert.notEqual(result.code, 0);
      assert.equal(result.stdout, '', 'no account JSON on stdout');
      assert.match(result.stderr, /in use by the Fieldline server/);
      assert.match(result.stderr, new RegExp(`pid ${server!.child.pid}\\b`));
      assert.match(result.stderr, /DATABASE_URL/, 'it says how to share a database instead');
    },
  );

  test('migrate is refused the same way', { timeout: PROCESS_TIMEOUT_MS }, async () => {
    const result = await cli(['migrate'], childEnv(dataDir));
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /in use by the Fieldline server/);
  });

  test('a second server on the same folder is refused', { timeout: PROCESS_TIMEOUT_MS }, async () => {
    const result = await cli(['serve'], childEnv(dataDir, { PORT: '0', HOST: '127.0.0.1' }));
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /in use by the Fieldline server/);
  });

  test(
    'the running server is unharmed: health answers 200 and the demo key still works',
    { timeout: PROCESS_TIMEOUT_MS },
    async () => {
      const health = await api(server!, '/v1/health');
      assert.equal(health.status, 200);
      const body = (await health.json()) as any;
      assert.equal(body.data.status, 'ok');
      assert.equal(body.data.database.engine, 'pglite');
      assert.equal((await api(server!, '/v1/customers', demoKey)).status, 200);
    },
  );

  test('SIGTERM stops the server cleanly and releases the folder', { timeout: PROCESS_TIMEOUT_MS }, async () => {
    const { code, signal } = await stopServer(server!);
    assert.equal(signal, null, 'it exits by itself, not by the signal');
    assert.equal(code, 0);
    assert.equal(existsSync(join(dataDir, 'fieldline.lock')), false, 'the lock file is gone');
  });

  test('after the server stops, the CLI works on the folder again', { timeout: PROCESS_TIMEOUT_MS }, async () => {
    const result = await cli(['accounts', 'create', '--name', 'After Hours Ltd', '--json'], childEnv(dataDir));
    assert.equal(result.code, 0, result.stderr);
    const created = JSON.parse(result.stdout);
    assert.equal(created.account.name, 'After Hours Ltd');
    cliKey = created.api_key;
  });

  test(
    'a restart keeps the data, prints no new demo key, and accepts the key the CLI made',
    { timeout: PROCESS_TIMEOUT_MS * 2 },
    async () => {
      server = await startServer(dataDir);
      assert.doesNotMatch(server.stdout(), /fl_live_/, 'no demo account on a folder that has accounts');
      assert.equal((await api(server, '/v1/customers', cliKey)).status, 200, 'the CLI-created key works');
      assert.equal((await api(server, '/v1/customers', demoKey)).status, 200, 'the demo key survived the restart');
      const { code } = await stopServer(server);
      assert.equal(code, 0);
    },
  );
});
