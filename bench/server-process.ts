// The server as `npm start` runs it (`node bin/fieldline.js serve`, its own process: the build when
// current), for benchmarks that measure it from outside: start time, memory, plans under load.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export const BIN = new URL('../bin/fieldline.js', import.meta.url).pathname;

export const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** RSS and its high-water mark, in MiB, from /proc. */
export function memoryOf(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

export interface ServerProcess {
  port: number;
  pid: number;
  base: string;
  /** Milliseconds from spawn to the first 200 from /v1/health. */
  startMs: number;
  /** What it printed on stdout (the demo key, on a first start on PGlite). */
  stdout: () => string;
  stop(): Promise<void>;
}

/** Starts `fieldline serve` with `env` on a free port and waits until it answers. */
export async function startServerProcess(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before answering`);
    const ok = await fetch(`${base}/v1/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return {
    port,
    pid: child.pid!,
    base,
    startMs: performance.now() - started,
    stdout: () => stdout,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * An account with an owner key, made by the CLI (`enterprise`: no benchmark request is rate limited),
 * in a PostgreSQL database (its URL) or a PGlite data folder no server holds (`{ dataDir }`).
 */
export function createBenchAccount(database: string | { dataDir: string }): {
  account: { id: string };
  api_key: string;
} {
  const { DATABASE_URL: _, ...env } = process.env;
  if (typeof database === 'string') env.DATABASE_URL = database;
  else env.FIELDLINE_DATA_DIR = database.dataDir;
  const created = execFileSync(
    process.execPath,
    [BIN, 'accounts', 'create', '--name', 'Bench', '--plan', 'enterprise', '--json'],
    { env: { ...env, LOG_LEVEL: 'warn' }, encoding: 'utf8' },
  );
  return JSON.parse(created);
}
