// The retention sweeps (audit log, inbound log, request log partitions) run once when a server starts,
// then hourly. stop() waits for a sweep under way: the database closes right after it, and a sweep
// cut off there failed with "Cannot use a pool after calling end on the pool".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { AuditPurge } from '../src/audit/audit-purge.ts';
import { InboundLogRetention } from '../src/inbound/inbound-log-retention.ts';
import { RequestLogWriter } from '../src/analytics/request-log-writer.ts';
import { RequestLogPartitions, dayOf } from '../src/analytics/request-log-partitions.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx?.close());

/** Holds `table` locked until the answered function is called: whoever writes to it (or drops its parts) waits. */
async function holdLock(table: string): Promise<() => Promise<void>> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holding = ctx.db.withConnection(async (connection) => {
    await connection.run(`BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    locked();
    await released;
    await connection.run('ROLLBACK');
  });
  await isLocked;
  return async () => {
    release();
    await holding;
  };
}

const sweepers = {
  'the audit log purge': { table: 'audit_log', make: (logger: pino.Logger) => new AuditPurge(ctx.db, logger) },
  'the inbound log retention': {
    table: 'inbound_requests',
    make: (logger: pino.Logger) => new InboundLogRetention(ctx.db, logger),
  },
  "the request log writer's partition retention": {
    table: 'request_logs',
    make: (logger: pino.Logger) => new RequestLogWriter(ctx.db, new Registry(), logger),
    // A partition past the retention, so that the sweep has one to drop (which waits for the lock).
    prepare: () => new RequestLogPartitions(ctx.db).ensure([dayOf(Date.now() - 40 * 86_400_000)]),
  },
} satisfies Record<string, { table: string; make: (logger: pino.Logger) => unknown; prepare?: () => Promise<void> }>;

for (const [name, spec] of Object.entries(sweepers)) {
  test(`${name} sweeps at start, and stop() waits for that sweep to finish`, async () => {
    const { table, make } = spec;
    if ('prepare' in spec) await spec.prepare();
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const unlock = await holdLock(table);
    const sweeper = make(logger);
    sweeper.start(); // the first sweep begins now and waits for the lock
    let stopped = false;
    const stopping = Promise.resolve(sweeper.stop()).then(() => {
      stopped = true;
    });
    await nextTurn();
    assert.equal(stopped, false, 'stop() waits while the sweep is under way');
    await unlock();
    await stopping;
    assert.deepEqual(warnings, [], 'the sweep finished without an error');
  });
}
