// A PgBouncer in transaction pooling mode in front of the PostgreSQL of a DATABASE_URL, for
// tests that prove the product works through one: Debian's `pgbouncer` on a free 127.0.0.1
// port, its config, auth file and log in a temporary folder removed at stop. PgBouncer refuses
// to run as root, so as root it runs as `postgres` (its `-u` flag).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './real-port.ts';

export const PGBOUNCER_PATH = '/usr/sbin/pgbouncer';

export interface RunningPgBouncer {
  /** `databaseUrl` with its host and port replaced by the bouncer's. */
  url: string;
  port: number;
  /** The bouncer's log so far (for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
}

/** Why PgBouncer cannot run here, or undefined when it can. */
export function pgbouncerMissing(): string | undefined {
  if (!existsSync(PGBOUNCER_PATH)) return `no PgBouncer at ${PGBOUNCER_PATH} (apt-get install pgbouncer)`;
  return undefined;
}

const waitForPort = async (port: number, deadline: number, exited: () => string | undefined) => {
  for (;;) {
    const gone = exited();
    if (gone) throw new Error(gone);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`PgBouncer did not listen on ${port} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** Starts a PgBouncer (pool_mode=transaction) in front of the server of `databaseUrl`. */
export async function startPgBouncer(
  databaseUrl: string,
  options: { poolSize?: number } = {},
): Promise<RunningPgBouncer> {
  const target = new URL(databaseUrl);
  const user = decodeURIComponent(target.username || 'postgres');
  const password = decodeURIComponent(target.password);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'fieldline-pgbouncer-'));
  chmodSync(dir, 0o777); // its log is written by the postgres user it runs as
  const authFile = join(dir, 'userlist.txt');
  const logFile = join(dir, 'pgbouncer.log');
  writeFileSync(authFile, `"${user}" "${password.replace(/"/g, '""')}"\n`);
  // Every database name is passed through to the same server, with the URL's credentials.
  const credentials = `user=${user}${password ? ` password=${password}` : ''}`;
  const server = `host=${target.hostname} port=${target.port || 5432} ${credentials}`;
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = ${server}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir =`,
      'auth_type = trust',
      `auth_file = ${authFile}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize ?? 8}`,
      'max_client_conn = 1000',
      'server_reset_query =',
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
  );
  const args = [join(dir, 'pgbouncer.ini')];
  if (process.getuid?.() === 0) args.unshift('-u', 'postgres');
  const child: ChildProcess = spawn(PGBOUNCER_PATH, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = `PgBouncer exited (${code ?? signal}): ${output}`));
  const log = () => {
    try {
      return output + readFileSync(logFile, 'utf8');
    } catch {
      return output;
    }
  };
  try {
    await waitForPort(port, Date.now() + 10_000, () => exit && `${exit}\n${log()}`);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    port,
    log,
    async stop() {
      if (exit === undefined) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT'); // immediate shutdown
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (exit === undefined) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
