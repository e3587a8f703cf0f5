// A streaming replica of the PostgreSQL server of a DATABASE_URL, for test/read-replica.test.ts:
// Debian's PostgreSQL binaries make a base backup (pg_basebackup -R -X stream) into a temporary
// folder and start a hot standby from it on a free 127.0.0.1 port, as the `postgres` user (the
// server refuses root). The standby streams through a replication slot of its own (a busy shared
// server recycles WAL within seconds otherwise), dropped with the replica, and slots left by a
// test process that died are dropped at the next start. The primary must accept replication
// connections from 127.0.0.1 (pg_hba.conf: `host replication all 127.0.0.1/32 ...`, a reload).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './real-port.ts';

export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
/** Slots of these replicas: fieldline_test_replica_<pid of the test process>_<random>. */
const SLOT_PREFIX = 'fieldline_test_replica_';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
};

/** Runs one statement on the primary. */
async function onPrimary(databaseUrl: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Drops the slot, and those of test processes that no longer run (never another live test's). */
async function dropSlots(databaseUrl: string, slot?: string) {
  const slots = await onPrimary(
    databaseUrl,
    `SELECT slot_name, active_pid FROM pg_replication_slots WHERE slot_name LIKE '${SLOT_PREFIX}%'`,
  );
  for (const { slot_name: name, active_pid: activePid } of slots) {
    const owner = Number(name.slice(SLOT_PREFIX.length).split('_')[0]);
    if (name !== slot && alive(owner)) continue;
    if (activePid) await onPrimary(databaseUrl, 'SELECT pg_terminate_backend($1)', [activePid]).catch(() => undefined);
    await onPrimary(databaseUrl, 'SELECT pg_drop_replication_slot($1)', [name]).catch(() => undefined);
  }
}

/** As the postgres user when we are root (the server and its tools refuse root). */
const asPostgres = (command: string, args: string[]) =>
  process.getuid?.() === 0
    ? (['runuser', ['-u', 'postgres', '--', command, ...args]] as const)
    : ([command, args] as const);

const run = (command: string, args: string[], timeout = 600_000) => {
  const [file, argv] = asPostgres(command, args);
  return execFileSync(file, [...argv], { cwd: tmpdir(), timeout, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
};

/** Why a streaming replica of `databaseUrl` cannot be made here, or undefined when it can. */
export function replicaMissing(databaseUrl: string): string | undefined {
  for (const tool of ['pg_basebackup', 'pg_ctl', 'psql'])
    if (!existsSync(join(POSTGRES_BIN, tool))) return `no ${tool} in ${POSTGRES_BIN} (apt-get install postgresql-15)`;
  const url = new URL(databaseUrl);
  if (!['127.0.0.1', 'localhost'].includes(url.hostname)) return `the primary (${url.hostname}) is not on this machine`;
  const [file, argv] = asPostgres(join(POSTGRES_BIN, 'psql'), [
    `host=127.0.0.1 port=${url.port || 5432} user=${url.username || 'postgres'} replication=true`,
    '-Atc',
    'IDENTIFY_SYSTEM',
  ]);
  const probe = spawnSync(file, [...argv], { cwd: tmpdir(), timeout: 10_000 });
  if (probe.status !== 0)
    return (
      'the primary refuses replication connections from 127.0.0.1 ' +
      `(pg_hba.conf needs "host replication all 127.0.0.1/32 trust"): ${probe.stderr.toString().trim()}`
    );
  return undefined;
}

export interface StreamingReplica {
  /** `databaseUrl` on the replica. */
  url: string;
  /** A superuser's SQL on the replica (pausing replay). */
  sql(text: string): Promise<Record<string, any>[]>;
  /** Stops the replica's server (it stays stopped: reads must fall back). */
  stopServer(): void;
  /** Stops the server if running, removes the folder and drops the replication slot. */
  remove(): Promise<void>;
}

/** Makes and starts a hot standby of the server of `databaseUrl`; about 1 s per 100 MB of the cluster. */
export async function startStreamingReplica(databaseUrl: string): Promise<StreamingReplica> {
  const primary = new URL(databaseUrl);
  const dir = mkdtempSync(join(tmpdir(), 'fieldline-replica-'));
  chmodSync(dir, 0o777); // the postgres user makes its data folder (and socket) in it
  const data = join(dir, 'data');
  const port = await freePort();
  const slot = `${SLOT_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  let running = false;
  const stopServer = () => {
    if (!running) return;
    running = false;
    run(join(POSTGRES_BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], 60_000);
  };
  const remove = async () => {
    try {
      stopServer();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await dropSlots(databaseUrl, slot);
    }
  };
  try {
    await dropSlots(databaseUrl);
    // Settings a hot standby must not have below the primary's.
    const rows = await onPrimary(
      databaseUrl,
      `SELECT name, setting FROM pg_settings WHERE name IN ('max_connections', 'max_worker_processes',
        'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction')`,
    );
    const connection = `-h 127.0.0.1 -p ${primary.port || 5432} -U ${primary.username || 'postgres'}`.split(' ');
    const backup = ['-D', data, '-R', '-X', 'stream', '-c', 'fast', '-C', '-S', slot];
    run(join(POSTGRES_BIN, 'pg_basebackup'), [...connection, ...backup]);
    const conf = [
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `unix_socket_directories = '${dir}'`,
      `hba_file = '${join(data, 'pg_hba.conf')}'`,
      `ident_file = '${join(data, 'pg_ident.conf')}'`,
      'hot_standby = on',
      'shared_buffers = 32MB',
      'fsync = off',
      ...rows.map((row) => `${row.name} = ${row.setting}`),
      '',
    ];
    // Written by the postgres user, as its folder is its own.
    const write = (name: string, text: string) => {
      const staged = join(dir, name);
      writeFileSync(staged, text);
      run('cp', [staged, join(data, name)]);
    };
    write('postgresql.conf', conf.join('\n'));
    write('pg_hba.conf', 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
    write('pg_ident.conf', '');
    run(join(POSTGRES_BIN, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '120', 'start'], 150_000);
    running = true;
  } catch (error) {
    await remove();
    throw error;
  }
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    async sql(text) {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return (await client.query(text)).rows;
      } finally {
        await client.end();
      }
    },
    stopServer,
    remove,
  };
}
