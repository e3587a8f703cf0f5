// The way down under write load, as a deploy or a crash meets it: `fieldline serve` in a child
// process takes 20 keep-alive connections creating customers, then gets SIGTERM (every request
// that reached it is answered, new connections are refused, then it exits 0) or SIGKILL (every
// write it acknowledged, and its event, is there after a restart). Runs on embedded PGlite in a
// temporary folder, or on the PostgreSQL of DATABASE_URL when set (CI runs both passes).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestContext } from './support/test-context.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = join(ROOT, 'bin', 'fieldline.js');
/** Generous, for a loaded CI box; nothing here measures time. */
const PROCESS_TIMEOUT_MS = 120_000;
const SHUTDOWN_TIMEOUT_SECONDS = 20;
const CONNECTIONS = 20;
/** Acknowledged creates before the signal: enough that the signal lands mid-load. */
const BEFORE_SIGNAL = 150;

const databaseUrl = process.env.DATABASE_URL;
const dataDir = mkdtempSync(join(tmpdir(), 'fieldline-shutdown-'));
const run = `gs${Date.now().toString(36)}`;
const children = new Set<ChildProcess>();

after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  const vars: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    FIELDLINE_DATA_DIR: dataDir,
    FIELDLINE_SECRET_KEY: '11'.repeat(32),
    FIELDLINE_SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS),
  };
  delete vars.NODE_OPTIONS; // the test runner's flags are not the server's
  delete vars.NODE_TEST_CONTEXT;
  if (!databaseUrl) delete vars.DATABASE_URL;
  return vars;
}

interface Server {
  child: ChildProcess;
  base: string;
  log: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'serve'], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let log = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const port = await new Promise<number>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no 'listening' line:\n${log}`)), PROCESS_TIMEOUT_MS);
    const read = (chunk: Buffer) => {
      log += chunk;
      const line = log.split('\n').find((text) => text.includes('Fieldline listening') && text.endsWith('}'));
      if (line) {
        clearTimeout(timer);
        done(JSON.parse(line).port);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    void exited.then(({ code }) => fail(new Error(`the server exited (${code}) before listening:\n${log}`)));
  });
  return { child, base: `http://127.0.0.1:${port}`, log: () => log, exited };
}

/** On PostgreSQL (shared with other suites, so never empty) an account of its own, made in this process. */
async function createAccount(): Promise<string> {
  const ctx = await createTestContext();
  try {
    return (await ctx.newAccount(`Shutdown ${run}`)).key;
  } finally {
    await ctx.close();
  }
}

interface Outcome {
  name: string;
  /** Sent before the signal was. */
  beforeSignal: boolean;
  status?: number;
  id?: string;
  /** The network error, when no response came: ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, ... */
  error?: string;
  /** When the error came, in ms after the signal (negative: before it). */
  errorAt?: number;
  /** When it was sent, in ms after the signal (negative: before it). */
  sentAt?: number;
}

/**
 * CONNECTIONS loops creating customers until the server refuses a connection or is gone; `onAcked`
 * is told each acknowledged create (the caller sends the signal after enough).
 */
function writeLoad(base: string, key: string, label: string, onAcked: (count: number) => void) {
  const outcomes: Outcome[] = [];
  let signalled = false;
  let signalAt = 0;
  let acked = 0;
  const loop = async (connection: number) => {
    for (let n = 0; ; n++) {
      const outcome: Outcome = { name: `${run} ${label} ${connection} ${n}`, beforeSignal: !signalled };
      outcomes.push(outcome);
      const sent = Date.now();
      try {
        const response = await fetch(`${base}/v1/customers`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: outcome.name }),
        });
        const body = await response.json();
        outcome.status = response.status;
        if (response.ok) {
          outcome.id = body.data.id;
          onAcked(++acked);
        }
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        outcome.error = cause?.code ?? cause?.message ?? String(error);
        outcome.errorAt = Date.now() - (signalAt || Date.now());
        outcome.sentAt = sent - (signalAt || sent);
        return; // refused (or, after SIGKILL, cut): this connection's loop ends
      }
    }
  };
  const done = Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => loop(i)));
  return { outcomes, done, signalSent: () => void ((signalled = true), (signalAt = Date.now())) };
}

/** Every customer of the account and every customer.created event's object id, read through the API. */
async function stored(base: string, key: string): Promise<{ customers: Map<string, string>; events: string[] }> {
  const headers = { authorization: `Bearer ${key}` };
  const all = async (path: string) => {
    const rows: Record<string, unknown>[] = [];
    for (let cursor: string | null = null; ;) {
      const page: { data: Record<string, unknown>[]; page: { next_cursor: string | null } } = await (
        await fetch(`${base}${path}&limit=100${cursor ? `&cursor=${cursor}` : ''}`, { headers })
      ).json();
      rows.push(...page.data);
      cursor = page.page.next_cursor;
      if (!cursor) return rows;
    }
  };
  const customers = new Map(
    (await all('/v1/customers?sort=created_at')).map((c) => [c.id as string, c.name as string]),
  );
  const events = (await all('/v1/events?type=customer.created')).map(
    (event) => ((event.data as { object?: { id?: string } }).object?.id ?? '') as string,
  );
  return { customers, events };
}

const count = (outcomes: Outcome[], test: (outcome: Outcome) => boolean) => outcomes.filter(test).length;

describe(`fieldline serve under write load (${databaseUrl ? 'PostgreSQL' : 'PGlite'})`, () => {
  let key: string;
  const acknowledged = new Map<string, string>();

  test(
    'SIGTERM: every request it received is answered, nothing accepted is lost, exit 0',
    {
      timeout: PROCESS_TIMEOUT_MS * 2,
    },
    async () => {
      // On PGlite, the demo account's key, printed by the first start.
      if (databaseUrl) key = await createAccount();
      const server = await startServer();
      for (let waited = 0; !key && waited < 100; waited++) {
        key = /FIELDLINE_API_KEY=(\S+)/.exec(server.log())?.[1] ?? '';
        if (!key) await new Promise((resolve) => setTimeout(resolve, 50)); // stdout and stderr are two pipes
      }
      assert.ok(key, 'an API key to write with');
      let sentAt = 0;
      const load = writeLoad(server.base, key, 'term', (acked) => {
        if (acked !== BEFORE_SIGNAL) return;
        load.signalSent();
        sentAt = Date.now();
        server.child.kill('SIGTERM');
      });
      await load.done;
      const exit = await server.exited;
      const stoppedIn = Date.now() - sentAt;
      const { outcomes } = load;
      for (const o of outcomes) if (o.id) acknowledged.set(o.id, o.name);
      const refused = count(outcomes, (o) => o.error === 'ECONNREFUSED');
      // A connection the kernel completed but the server had not yet taken from its queue when the
      // listener closed (the event loop busy, as PGlite keeps it) is reset by the kernel: the server
      // never read that request. Counted apart; the restart below proves none of them was processed.
      const unread = outcomes.filter((o) => o.error === 'ECONNRESET');
      const tally = {
        sent: outcomes.length,
        answered: count(outcomes, (o) => o.status !== undefined),
        created: count(outcomes, (o) => o.status === 201),
        sentBeforeSignal: count(outcomes, (o) => o.beforeSignal),
        answeredAfterSignal: count(outcomes, (o) => !o.beforeSignal && o.status !== undefined),
        refused,
        resetUnread: unread.length,
        stoppedInMs: stoppedIn,
      };
      console.log(`SIGTERM under load: ${JSON.stringify(tally)}`);

      assert.deepEqual(exit, { code: 0, signal: null }, server.log());
      assert.match(server.log(), /"msg":"stopped"/);
      assert.doesNotMatch(server.log(), /were cut|did not finish in time/);
      assert.deepEqual(
        outcomes.filter((o) => o.error && o.error !== 'ECONNREFUSED' && o.error !== 'ECONNRESET'),
        [],
        'no other failure: each request was answered, refused, or reset unread',
      );
      assert.deepEqual(
        outcomes.filter((o) => o.status !== undefined && o.status !== 201),
        [],
        'every answer, during the drain too, is a success',
      );
      assert.equal(refused + unread.length, CONNECTIONS, 'each connection ends when the listener has closed');
      assert.ok(refused > 0, 'the listener closed: new connections were refused');
      assert.ok(stoppedIn < (SHUTDOWN_TIMEOUT_SECONDS + 2) * 1000, `stopped in ${stoppedIn} ms`);

      const restarted = await startServer();
      const { customers, events } = await stored(restarted.base, key);
      assert.deepEqual(
        customers,
        acknowledged,
        'exactly the acknowledged creates are stored: none lost, and no reset request was processed',
      );
      assert.deepEqual(events.sort(), [...acknowledged.keys()].sort(), 'one customer.created event for each');
      restarted.child.kill('SIGTERM');
      assert.deepEqual(await restarted.exited, { code: 0, signal: null });
    },
  );

  test(
    'SIGKILL: every acknowledged write and its event survive the crash',
    {
      timeout: PROCESS_TIMEOUT_MS * 2,
    },
    async () => {
      assert.ok(key, 'runs after the SIGTERM case, on its account');
      const server = await startServer();
      const load = writeLoad(server.base, key, 'kill', (acked) => {
        if (acked !== BEFORE_SIGNAL) return;
        load.signalSent();
        server.child.kill('SIGKILL');
      });
      await load.done;
      assert.equal((await server.exited).signal, 'SIGKILL');
      const { outcomes } = load;
      const unanswered = outcomes.filter((o) => o.status === undefined);
      console.log(
        `SIGKILL under load: ${JSON.stringify({
          sent: outcomes.length,
          created: count(outcomes, (o) => o.status === 201),
          unanswered: unanswered.length,
          refused: count(outcomes, (o) => o.error === 'ECONNREFUSED'),
        })}`,
      );
      for (const o of outcomes) if (o.id) acknowledged.set(o.id, o.name);

      const restarted = await startServer();
      const { customers, events } = await stored(restarted.base, key);
      const lost = [...acknowledged].filter(([id, name]) => customers.get(id) !== name);
      assert.deepEqual(lost, [], 'no acknowledged create is lost');
      const eventIds = new Set(events);
      assert.deepEqual(
        [...acknowledged.keys()].filter((id) => !eventIds.has(id)),
        [],
        'nor its event',
      );
      // A request cut by the kill may have committed or not; nothing else appeared.
      const cut = new Set(unanswered.map((o) => o.name));
      assert.deepEqual(
        [...customers].filter(([id, name]) => !acknowledged.has(id) && !cut.has(name)),
        [],
        'no customer that no request asked for',
      );
      assert.equal(events.length, customers.size, 'one event for each stored customer');
      restarted.child.kill('SIGTERM');
      assert.deepEqual(await restarted.exited, { code: 0, signal: null });
    },
  );
});
