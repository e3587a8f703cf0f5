// Seeds one account with a business's worth of history for the analytics benchmark, with COPY:
// technicians, customers, jobs over three years (most completed, with a time entry each),
// invoices for half the jobs in two currencies with their payments (a few refunded), tickets,
// leads and events. Deterministic (a seeded PRNG), so runs compare.
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyValue } from '../src/db/copy-text.ts';
import { backfillJobFacts } from '../src/business-analytics/job-facts.ts';
import { backfillLifetimeValue } from '../src/business-analytics/lifetime-value-facts.ts';

/**
 * Tables whose row triggers are off while COPY runs (their facts are filled after it, set-based:
 * with the payments' trigger on, COPY queued one recomputation per payment, ~30 minutes).
 */
const TRIGGERED_TABLES = ['events', 'jobs', 'time_entries', 'payments'];

export interface AnalyticsVolume {
  jobs: number;
  invoices: number;
  events: number;
  customers: number;
  technicians: number;
  /** Days of history, ending today. */
  days: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
/** A well-formed id (26 Crockford base-32 characters, as newId makes), so the API accepts it: BENCH + n. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const id = (prefix: string, n: number) => {
  let body = '';
  for (let rest = n; rest > 0 || body === ''; rest = Math.floor(rest / 32)) body = CROCKFORD[rest % 32] + body;
  return `${prefix}_BENCH${body.padStart(21, '0')}`;
};

/** Streams rows into `table` with COPY, in chunks. */
async function copyRows(client: pg.Client, table: string, columns: string[], rows: Iterable<unknown[]>) {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', reject);
  });
  let chunk: string[] = [];
  const flush = async () => {
    if (!stream.write(chunk.join(''))) await new Promise((resolve) => stream.once('drain', resolve));
    chunk = [];
  };
  for (const row of rows) {
    chunk.push(`${row.map(copyValue).join('\t')}\n`);
    if (chunk.length >= 5000) await flush();
  }
  if (chunk.length) await flush();
  stream.end();
  await done;
}

export async function seedAnalytics(
  databaseUrl: string,
  accountId: string,
  volume: AnalyticsVolume,
  log = console.error,
) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const random = prng(42);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const now = Date.now();
  const start = now - volume.days * DAY_MS;
  const timed = async (what: string, work: () => Promise<void>) => {
    const began = performance.now();
    await work();
    log(`  ${what}: ${((performance.now() - began) / 1000).toFixed(1)} s`);
  };
  try {
    // Triggers on events would queue webhook and automation work for each seeded row; none is configured here.
    // The analytics facts on jobs are filled once after COPY, as a database upgraded in place gets them.
    for (const table of TRIGGERED_TABLES) await client.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
    const stamp = iso(now);
    await timed(`${volume.technicians} technicians`, () =>
      copyRows(
        client,
        'users',
        ['id', 'account_id', 'name', 'email', 'role', 'status', 'created_at', 'updated_at'],
        (function* () {
          for (let i = 0; i < volume.technicians; i++)
            yield [
              id('usr', i),
              accountId,
              `Tech ${i}`,
              `tech${i}@bench.example`,
              'technician',
              'active',
              stamp,
              stamp,
            ];
        })(),
      ),
    );
    const tags = [['vip'], ['commercial'], ['residential'], [], []];
    await timed(`${volume.customers} customers`, () =>
      copyRows(
        client,
        'customers',
        ['id', 'account_id', 'name', 'tags', 'status', 'created_at', 'updated_at'],
        (function* () {
          for (let i = 0; i < volume.customers; i++) {
            const created = iso(start + random() * (now - start));
            const tag = pick(tags);
            yield [id('cus', i), accountId, `Customer ${i}`, `{${tag.join(',')}}`, 'active', created, created];
          }
        })(),
      ),
    );
    // Jobs, in creation order across the history: 80 % completed, 5 % cancelled, the rest open.
    interface Job {
      id: string;
      customer: string;
      completedAt: number | null;
      technician: string | null;
    }
    const invoiced: Job[] = [];
    // About 80 % of jobs complete: invoice that share of them to reach the volume asked for.
    const invoiceShare = Math.min(1, volume.invoices / (volume.jobs * 0.8));
    const completedJobs: Job[] = [];
    await timed(`${volume.jobs} jobs`, () =>
      copyRows(
        client,
        'jobs',
        [
          'id',
          'account_id',
          'title',
          'customer_id',
          'technician_id',
          'status',
          'priority',
          'scheduled_start',
          'scheduled_end',
          'started_at',
          'completed_at',
          'cancelled_at',
          'created_at',
          'updated_at',
        ],
        (function* () {
          for (let i = 0; i < volume.jobs; i++) {
            const created = start + (i / volume.jobs) * (now - start);
            const roll = random();
            const future = created > now - 14 * DAY_MS;
            const status =
              roll < 0.05
                ? 'unscheduled'
                : future || roll < 0.1
                  ? 'scheduled'
                  : roll < 0.15
                    ? 'cancelled'
                    : 'completed';
            const technician = status === 'unscheduled' ? null : id('usr', Math.floor(random() * volume.technicians));
            const scheduled = status === 'unscheduled' ? null : created + (1 + Math.floor(random() * 7)) * DAY_MS;
            const end = scheduled && scheduled + (1 + Math.floor(random() * 4)) * HOUR_MS;
            const completedAt = status === 'completed' ? end! + random() * 2 * HOUR_MS : null;
            const job: Job = {
              id: id('job', i),
              customer: id('cus', Math.floor(random() * volume.customers)),
              completedAt,
              technician,
            };
            if (completedAt) completedJobs.push(job);
            if (completedAt && random() < invoiceShare && invoiced.length < volume.invoices) invoiced.push(job);
            yield [
              job.id,
              accountId,
              `Job ${i}`,
              job.customer,
              technician,
              status,
              pick(['low', 'normal', 'normal', 'high', 'urgent']),
              scheduled && iso(scheduled),
              end && iso(end),
              completedAt && iso(end! - HOUR_MS),
              completedAt && iso(completedAt),
              status === 'cancelled' ? iso(created + DAY_MS) : null,
              iso(created),
              iso(created),
            ];
          }
        })(),
      ),
    );
    await timed(`${completedJobs.length} time entries`, () =>
      copyRows(
        client,
        'time_entries',
        [
          'id',
          'account_id',
          'technician_id',
          'job_id',
          'status',
          'started_at',
          'ended_at',
          'duration_minutes',
          'created_at',
          'updated_at',
        ],
        (function* () {
          let n = 0;
          for (const job of completedJobs) {
            const minutes = 30 + Math.floor(random() * 180);
            const ended = job.completedAt!;
            const started = ended - minutes * 60_000;
            yield [
              id('tim', n++),
              accountId,
              job.technician,
              job.id,
              'closed',
              iso(started),
              iso(ended),
              minutes,
              iso(started),
              iso(ended),
            ];
          }
        })(),
      ),
    );
    completedJobs.length = 0;
    // Invoices for completed jobs, sent an hour after completion, due 30 days later: most paid.
    const payments: unknown[][] = [];
    await timed(`${invoiced.length} invoices`, () =>
      copyRows(
        client,
        'invoices',
        [
          'id',
          'account_id',
          'customer_id',
          'job_id',
          'status',
          'currency',
          'line_items',
          'tax_rate_bps',
          'subtotal',
          'tax',
          'total',
          'amount_paid',
          'amount_due',
          'due_date',
          'sent_at',
          'paid_at',
          'voided_at',
          'created_at',
          'updated_at',
        ],
        (function* () {
          let n = 0;
          for (const job of invoiced) {
            const sent = job.completedAt! + HOUR_MS;
            const currency = random() < 0.8 ? 'USD' : 'EUR';
            const subtotal = 5000 + Math.floor(random() * 95_000);
            const tax = Math.round(subtotal * 0.0825);
            const total = subtotal + tax;
            const due = sent + 30 * DAY_MS;
            const roll = random();
            const status = roll < 0.04 ? 'void' : due < now && roll < 0.85 ? 'paid' : due < now ? 'overdue' : 'open';
            const paidAt = status === 'paid' ? Math.min(sent + random() * 40 * DAY_MS, now) : null;
            const paid = status === 'paid' ? total : 0;
            const invoiceId = id('inv', n++);
            if (paidAt) {
              const refunded = random() < 0.02;
              payments.push([
                id('pay', payments.length),
                accountId,
                total,
                currency,
                pick(['card', 'card', 'cash', 'check', 'bank_transfer']),
                invoiceId,
                job.customer,
                refunded ? 'refunded' : 'succeeded',
                refunded ? total : 0,
                refunded ? iso(paidAt + DAY_MS) : null,
                iso(paidAt),
                iso(paidAt),
              ]);
            }
            const line = [{ description: 'Service', quantity: 1, unit_amount: subtotal }];
            yield [
              invoiceId,
              accountId,
              job.customer,
              job.id,
              status,
              currency,
              line,
              825,
              subtotal,
              tax,
              total,
              paid,
              total - paid,
              iso(due).slice(0, 10),
              iso(sent),
              paidAt && iso(paidAt),
              status === 'void' ? iso(sent + DAY_MS) : null,
              iso(sent),
              iso(sent),
            ];
          }
        })(),
      ),
    );
    invoiced.length = 0;
    await timed(`${payments.length} payments`, () =>
      copyRows(
        client,
        'payments',
        [
          'id',
          'account_id',
          'amount',
          'currency',
          'method',
          'invoice_id',
          'customer_id',
          'status',
          'amount_refunded',
          'refunded_at',
          'created_at',
          'updated_at',
        ],
        payments,
      ),
    );
    payments.length = 0;
    const small = Math.round(volume.jobs / 20);
    await timed(`${small} tickets`, () =>
      copyRows(
        client,
        'tickets',
        [
          'id',
          'account_id',
          'subject',
          'priority',
          'channel',
          'status',
          'due_at',
          'resolved_at',
          'resolved_within_sla',
          'escalated_at',
          'created_at',
          'updated_at',
        ],
        (function* () {
          for (let i = 0; i < small; i++) {
            const created = start + (i / small) * (now - start);
            const due = created + 72 * HOUR_MS;
            const resolved = created < now - 7 * DAY_MS && random() < 0.9 ? created + random() * 100 * HOUR_MS : null;
            yield [
              id('tkt', i),
              accountId,
              `Ticket ${i}`,
              'normal',
              'email',
              resolved ? 'resolved' : 'open',
              iso(due),
              resolved && iso(resolved),
              resolved ? resolved <= due : null,
              !resolved && due < now ? iso(due) : null,
              iso(created),
              iso(created),
            ];
          }
        })(),
      ),
    );
    await timed(`${small} leads`, () =>
      copyRows(
        client,
        'leads',
        [
          'id',
          'account_id',
          'first_name',
          'source',
          'stage',
          'currency',
          'status',
          'converted_at',
          'created_at',
          'updated_at',
        ],
        (function* () {
          for (let i = 0; i < small; i++) {
            const created = start + (i / small) * (now - start);
            const roll = random();
            const status = roll < 0.3 ? 'converted' : roll < 0.5 ? 'lost' : 'open';
            yield [
              id('lead', i),
              accountId,
              `Lead ${i}`,
              'website',
              pick(['new', 'contacted', 'qualified']),
              'USD',
              status,
              status === 'converted' ? iso(created + 5 * DAY_MS) : null,
              iso(created),
              iso(created),
            ];
          }
        })(),
      ),
    );
    const types = ['job.created', 'job.completed', 'invoice.sent', 'payment.created', 'customer.updated'];
    await timed(`${volume.events} events`, () =>
      copyRows(
        client,
        'events',
        ['id', 'account_id', 'type', 'data', 'created_at', 'updated_at', 'livemode'],
        (function* () {
          for (let i = 0; i < volume.events; i++) {
            const created = iso(start + (i / volume.events) * (now - start));
            yield [
              id('evt', i),
              accountId,
              pick(types),
              { object: { id: id('job', i % volume.jobs) } },
              created,
              created,
              true,
            ];
          }
        })(),
      ),
    );
    // Statistics first: on the fresh counts (none yet) the planner would serve each job's correlated
    // lookups from an account-wide index range instead of the customer's history: quadratic.
    await timed('ANALYZE before the facts', async () => void (await client.query('ANALYZE')));
    await timed('analytics facts on jobs', async () => {
      for (const statement of backfillJobFacts) await client.query(statement);
    });
    await timed('lifetime value per customer', async () => {
      for (const statement of backfillLifetimeValue) await client.query(statement);
    });
    for (const table of TRIGGERED_TABLES) await client.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
    // As a table at rest would be after autovacuum: statistics, and the visibility map index-only scans rely on.
    await timed('VACUUM ANALYZE', async () => void (await client.query('VACUUM ANALYZE')));
  } finally {
    await client.end();
  }
}
