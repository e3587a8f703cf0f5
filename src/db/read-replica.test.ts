// The routing of reads between a replica and the primary, on stand-in databases that answer
// the WAL positions the test sets (test/read-replica.test.ts proves it on a real hot standby).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Database, Row } from './database.ts';
import { parseLsn, ReadReplica } from './read-replica.ts';

/** A database answering the check's statement with `position()`, or failing with `failure()`. */
function standIn(kind: string, position: () => Row, failure: () => Error | undefined = () => undefined): Database {
  return {
    kind: 'postgres',
    name: kind,
    async withConnection(work) {
      const error = failure();
      if (error) throw error;
      return work({
        run: async () => [[position()]],
        query: async () => ({ rows: [], affectedRows: 0 }),
        copyFrom: async () => undefined,
      });
    },
    poolStats: () => ({ total: 0, idle: 0, waiting: 0 }),
    listen: async () => async () => undefined,
    close: async () => undefined,
  } as Database;
}

function setup() {
  const wal = { primary: '0/100', replayed: '0/100', standby: true, down: undefined as Error | undefined };
  const primary = standIn('primary', () => ({ lsn: wal.primary }));
  const replica = standIn(
    'replica',
    () => ({ standby: wal.standby, lsn: wal.replayed }),
    () => wal.down,
  );
  const reads = new ReadReplica(replica, primary, { stickyMs: 1_000, logger: pino({ level: 'silent' }) });
  const where = (caller: string) => reads.read(caller, async (db) => (db as Database & { name: string }).name);
  return { wal, reads, where };
}

test('LSNs compare across the 32-bit boundary', () => {
  assert.ok(parseLsn('1/0') > parseLsn('0/FFFFFFFF'));
  assert.equal(parseLsn('2/85000490'), (2n << 32n) + 0x85000490n);
});

test('a caught-up replica serves; a caller that wrote reads the primary for the sticky window', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const { reads, where } = setup();
  assert.equal(await where('key_a'), 'primary', 'before the first check');
  await reads.check();
  assert.equal(reads.state, 'serving');
  assert.equal(await where('key_a'), 'replica');
  await reads.noteWrite('key_a');
  assert.equal(await where('key_a'), 'primary');
  assert.equal(await where('key_b'), 'replica', 'only the writer is kept on the primary');
  t.mock.timers.tick(1_001);
  await reads.check();
  assert.equal(await where('key_a'), 'replica', 'after the window');
});

test('a replica behind by more than the lag bound is skipped until it catches up', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const { wal, reads, where } = setup();
  await reads.check();
  wal.primary = '0/200'; // written now; the replica has not replayed it
  t.mock.timers.tick(100);
  await reads.check();
  assert.equal(reads.state, 'serving', 'within the bound');
  t.mock.timers.tick(reads.lagBoundMs);
  await reads.check();
  assert.equal(reads.state, 'lagging');
  assert.equal(await where('key_b'), 'primary');
  wal.replayed = '0/200';
  await reads.check();
  assert.equal(await where('key_b'), 'replica');
});

test('a verdict expires when checks stop answering; a replica that fails a read is skipped', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const { wal, reads, where } = setup();
  await reads.check();
  t.mock.timers.tick(2 * reads.checkMs + 1);
  assert.equal(await where('key_b'), 'primary', 'no check since: not trusted');
  await reads.check();
  const lost = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' });
  let attempts = 0;
  const answer = await reads.read('key_b', async (db) => {
    attempts++;
    if ((db as Database & { name: string }).name === 'replica') throw lost;
    return 'from the primary';
  });
  assert.deepEqual([answer, attempts, reads.state], ['from the primary', 2, 'unavailable']);
  wal.down = lost;
  await reads.check();
  assert.equal(await where('key_b'), 'primary');
  // A statement's own error is the caller's, not the replica's: not retried.
  wal.down = undefined;
  await reads.check();
  const syntax = Object.assign(new Error('syntax error'), { code: '42601' });
  await assert.rejects(
    reads.read('key_b', async () => {
      throw syntax;
    }),
    syntax,
  );
});

test('a URL that is not a standby is never read from', async () => {
  const { wal, reads, where } = setup();
  wal.standby = false;
  await reads.check();
  assert.equal(reads.state, 'not_a_standby');
  assert.equal(await where('key_b'), 'primary');
});
