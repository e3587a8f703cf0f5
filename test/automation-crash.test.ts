// An engine killed (SIGKILL) in the middle of runs loses no step and repeats none: each action
// commits with the record of its step, so a dead worker's open step commits nothing, and after
// its lease another worker resumes each run at the step it had reached. Needs PostgreSQL (the
// engine is another process); on PGlite the database lives inside the test process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemQuery } from '../src/db/system-query.ts';
import { AutomationEngine } from '../src/automation/automation-engine.ts';
import { createTestContext, type TestContext } from './support/test-context.ts';

const databaseUrl = process.env.DATABASE_URL;
const LEASE_MS = 60_000;
const CUSTOMERS = 30;
const key = randomBytes(32);
let ctx: TestContext;

before(async () => {
  if (databaseUrl) ctx = await createTestContext({ secretKey: key });
});
after(async () => {
  await ctx?.close();
});

const ticketCount = async (accountId: string) =>
  Number(
    (
      await systemQuery(ctx.db, {
        sql: 'SELECT count(*) AS n FROM tickets WHERE account_id = $1',
        parameters: [accountId],
      })
    )[0]!.n,
  );

test(
  'an engine killed mid-run: every run finishes, each step done exactly once',
  { skip: !databaseUrl && 'needs PostgreSQL' },
  async () => {
    const account = await ctx.newAccount('Crash Automation Co');
    const call = (path: string, body: unknown) => ctx.call('POST', path, { key: account.key, body });
    const step = (letter: string) => ({
      type: 'create_record',
      collection: 'tickets',
      fields: { subject: `${letter} {{object.name}}`, customer_id: '{{object.id}}' },
    });
    const rule = await call('/v1/automation-rules', {
      name: 'Three tickets',
      trigger: { type: 'event', event: 'customer.created' },
      actions: [step('A'), step('B'), step('C')],
    });
    assert.equal(rule.status, 201, rule.text);
    for (let i = 0; i < CUSTOMERS; i++) await call('/v1/customers', { name: `Customer ${String(i).padStart(2, '0')}` });

    const worker = spawn(process.execPath, ['--import', 'tsx', 'test/support/automation-worker.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        FIELDLINE_SECRET_KEY: key.toString('hex'),
        LEASE_MS: String(LEASE_MS),
        ACCOUNT_ID: account.id,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [ready] = await once(worker.stdout!, 'data');
    assert.equal(String(ready).trim(), 'ready');
    // Killed once it is well under way, and well before it is done.
    const deadline = Date.now() + 30_000;
    while ((await ticketCount(account.id)) < CUSTOMERS && Date.now() < deadline) await sleep(5);
    worker.kill('SIGKILL');
    await once(worker, 'exit');
    const atKill = await ticketCount(account.id);
    assert.ok(atKill > 0 && atKill < 3 * CUSTOMERS, `killed mid-way (${atKill} tickets)`);

    // Another engine, once the dead one's leases have run out.
    const engine = new AutomationEngine(ctx.runtime, ctx.runtime.logger, {
      accountIds: [account.id],
      now: () => Date.now() + LEASE_MS + 1_000,
    });
    await engine.settle(50);

    const runs = await systemQuery(ctx.db, {
      sql: 'SELECT status, jsonb_array_length(steps) AS steps FROM automation_runs WHERE account_id = $1',
      parameters: [account.id],
    });
    assert.equal(runs.length, CUSTOMERS, 'one run per customer');
    assert.deepEqual([...new Set(runs.map((r) => `${r.status} ${r.steps}`))], ['succeeded 3']);
    const tickets = await systemQuery(ctx.db, {
      sql: 'SELECT subject, count(*) AS n FROM tickets WHERE account_id = $1 GROUP BY subject',
      parameters: [account.id],
    });
    assert.equal(tickets.length, 3 * CUSTOMERS, 'every step of every run happened');
    assert.deepEqual([...new Set(tickets.map((t) => Number(t.n)))], [1], 'and none twice');
  },
);
