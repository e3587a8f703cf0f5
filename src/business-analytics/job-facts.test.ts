// The facts triggers keep on jobs (time on site, the customer's next and previous jobs) always equal what the
// base rows say, whatever sequence of writes reaches the tables: random sequences of job
// creations, completions, reopenings, deletions, restorations, moves between customers and time
// entry changes, written as plain SQL (any write path), each followed by a comparison of every
// job's stored facts with their definition recomputed from the rows.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  createTestContext,
  accountClient,
  type TestContext,
  type TestAccount,
} from '../../test/support/test-context.ts';
import type { Row } from '../db/database.ts';
import { cloneRow } from '../../test/support/clone-row.ts';
import { assertWriteSequencesKeepFacts, hourOf, sqlOn, type Write } from '../../test/support/write-sequences.ts';

let ctx: TestContext;
let account: TestAccount;
const { created, call } = accountClient(
  () => ctx,
  () => account,
);
const customers: string[] = [];
const template = { job: '', entry: '' };
let sequence = 0;

const sql = sqlOn(() => ctx.db);
const at = hourOf;

/** Stored facts that differ from their definition, for this account's jobs. */
async function drift() {
  return sql(
    `SELECT j.id, j.on_site_minutes, j.next_job_created_at, j.previous_completed_at,
            d.on_site_minutes AS want_minutes, d.next_job AS want_next, d.previous AS want_previous
       FROM jobs j CROSS JOIN LATERAL (SELECT
         (SELECT sum(t.duration_minutes)::integer FROM time_entries t
           WHERE t.account_id = j.account_id AND t.job_id = j.id AND t.status = 'closed') AS on_site_minutes,
         CASE WHEN j.completed_at IS NOT NULL THEN (SELECT min(f.created_at) FROM jobs f
           WHERE f.account_id = j.account_id AND f.customer_id = j.customer_id AND f.id <> j.id
             AND f.deleted_at IS NULL AND f.created_at > j.completed_at) END AS next_job,
         CASE WHEN j.completed_at IS NOT NULL THEN (SELECT max(f.completed_at) FROM jobs f
           WHERE f.account_id = j.account_id AND f.customer_id = j.customer_id AND f.id <> j.id
             AND f.deleted_at IS NULL AND f.completed_at IS NOT NULL
             AND (f.completed_at, f.id) < (j.completed_at, j.id)) END AS previous) d
      WHERE j.account_id = $1 AND (j.on_site_minutes IS DISTINCT FROM d.on_site_minutes
         OR j.next_job_created_at IS DISTINCT FROM d.next_job
         OR j.previous_completed_at IS DISTINCT FROM d.previous)`,
    account.id,
  );
}

const jobs = () => sql(`SELECT id FROM jobs WHERE account_id = $1 ORDER BY id`, account.id);
const entries = () => sql(`SELECT id FROM time_entries WHERE account_id = $1 ORDER BY id`, account.id);
const pickFrom = async (rows: Promise<Row[]>, index: number) => {
  const all = await rows;
  return all.length ? String(all[index % all.length].id) : undefined;
};

const WRITES: Record<string, Write> = {
  'create a job': (i, hour) =>
    cloneRow(ctx.db, 'jobs', template.job, {
      id: `job_fact_${++sequence}`,
      customer_id: customers[i % customers.length],
      created_at: at(hour),
      status: 'unscheduled',
      completed_at: null,
      deleted_at: null,
    }),
  'complete a job': async (i, hour) => {
    const id = await pickFrom(jobs(), i);
    return sql(`UPDATE jobs SET status = 'completed', completed_at = $2 WHERE id = $1`, id, at(hour));
  },
  'reopen a job': async (i) =>
    sql(`UPDATE jobs SET status = 'scheduled', completed_at = NULL WHERE id = $1`, await pickFrom(jobs(), i)),
  'delete a job': async (i, hour) =>
    sql(`UPDATE jobs SET deleted_at = $2 WHERE id = $1`, await pickFrom(jobs(), i), at(hour)),
  'restore a job': async (i) => sql(`UPDATE jobs SET deleted_at = NULL WHERE id = $1`, await pickFrom(jobs(), i)),
  'move a job to another customer': async (i, _hour, value) =>
    sql(`UPDATE jobs SET customer_id = $2 WHERE id = $1`, await pickFrom(jobs(), i), customers[value % 3]),
  'move a job in time': async (i, hour) =>
    sql(`UPDATE jobs SET created_at = $2 WHERE id = $1`, await pickFrom(jobs(), i), at(hour)),
  'add a time entry': async (i, _hour, value) =>
    cloneRow(ctx.db, 'time_entries', template.entry, {
      id: `te_fact_${++sequence}`,
      job_id: await pickFrom(jobs(), i),
      status: value % 2 ? 'closed' : 'open',
      duration_minutes: value % 2 ? value : null,
    }),
  'close a time entry': async (i, _hour, value) =>
    sql(
      `UPDATE time_entries SET status = 'closed', duration_minutes = $2 WHERE id = $1`,
      await pickFrom(entries(), i),
      value,
    ),
  'change minutes': async (i, _hour, value) =>
    sql(`UPDATE time_entries SET duration_minutes = $2 WHERE id = $1`, await pickFrom(entries(), i), value),
  'move a time entry to another job': async (i, _hour, value) =>
    sql(
      `UPDATE time_entries SET job_id = $2 WHERE id = $1`,
      await pickFrom(entries(), i),
      await pickFrom(jobs(), value),
    ),
  'delete a time entry': async (i) => sql(`DELETE FROM time_entries WHERE id = $1`, await pickFrom(entries(), i)),
  'erase a job': async (i) => {
    const id = await pickFrom(jobs(), i);
    if (id === template.job) return;
    await sql(`DELETE FROM time_entries WHERE job_id = $1`, id);
    await sql(`DELETE FROM jobs WHERE id = $1`, id);
  },
};

describe('analytics facts on jobs', () => {
  before(async () => {
    ctx = await createTestContext();
    account = await ctx.newAccount('Facts');
    for (const name of ['A', 'B', 'C']) customers.push((await created('customers', { name })).id);
    template.job = (await created('jobs', { title: 'Template', customer_id: customers[0] })).id;
    const technician = await created('users', {
      name: 'Tia',
      email: `tia${Date.now()}@facts.example`,
      role: 'technician',
    });
    template.entry = (await created('time-entries', { technician_id: technician.id, job_id: template.job })).id;
    const clockOut = await call('POST', `/v1/time-entries/${template.entry}/clock-out`, {});
    assert.equal(clockOut.status, 200, clockOut.text);
  });
  after(() => ctx?.close());

  test('the API path keeps them: a closed time entry is its job on site, a later job is the next', async () => {
    const [row] = await sql(`SELECT on_site_minutes FROM jobs WHERE id = $1`, template.job);
    const [entry] = await sql(`SELECT duration_minutes FROM time_entries WHERE id = $1`, template.entry);
    assert.equal(row.on_site_minutes, entry.duration_minutes);
    assert.deepEqual(await drift(), []);
  });

  test("a completion between two others becomes the later one's previous, until it is deleted", async () => {
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) {
      await WRITES['create a job'](0, n, 1);
      ids.push(`job_fact_${sequence}`);
    }
    const previousOf = async (id: string) =>
      (await sql(`SELECT previous_completed_at FROM jobs WHERE id = $1`, id))[0].previous_completed_at;
    await sql(`UPDATE jobs SET status = 'completed', completed_at = $2 WHERE id = $1`, ids[0], at(10));
    await sql(`UPDATE jobs SET status = 'completed', completed_at = $2 WHERE id = $1`, ids[2], at(30));
    assert.equal(new Date(await previousOf(ids[2])).toISOString(), at(10));
    await sql(`UPDATE jobs SET status = 'completed', completed_at = $2 WHERE id = $1`, ids[1], at(20));
    assert.equal(new Date(await previousOf(ids[2])).toISOString(), at(20));
    await sql(`UPDATE jobs SET deleted_at = $2 WHERE id = $1`, ids[1], at(40));
    assert.equal(new Date(await previousOf(ids[2])).toISOString(), at(10));
    assert.deepEqual(await drift(), []);
    await sql(`DELETE FROM jobs WHERE id = ANY($1)`, ids);
  });

  test('any sequence of writes leaves every fact equal to its definition', () =>
    assertWriteSequencesKeepFacts({
      writes: WRITES,
      // Creations and completions drawn more often: facts change when jobs follow completed ones.
      favoured: [...Array(4).fill('create a job'), ...Array(3).fill('complete a job')],
      // Each sequence starts from the template alone (erasing fires the same triggers).
      reset: async () => {
        await sql(`DELETE FROM time_entries WHERE id LIKE 'te_fact_%'`);
        await sql(`DELETE FROM jobs WHERE id LIKE 'job_fact_%'`);
      },
      drift,
      maxValue: 240,
      maxLength: 20,
      numRuns: 200,
      seed: 35_030,
    }));
});
