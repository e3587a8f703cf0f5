// The SEQUENCE of each calendar event (RFC 5545 3.8.7.4): how many times the job or schedule
// block it shows was changed since it was first booked. Calendar apps keep their copy of an event
// until its SEQUENCE grows, so a moved or cancelled job must raise it. Counted by a reaction in
// the transaction of the change itself, so a feed never has to compare what it served before.
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import type { Migration } from '../db/migrate.ts';
import type { EventReaction } from '../platform/contract.ts';

export const CALENDAR_FEED_MIGRATIONS: readonly Migration[] = [
  {
    id: '0033_calendar_feeds',
    statements: [
      `CREATE TABLE calendar_sequences (
         account_id text NOT NULL REFERENCES accounts (id),
         uid text NOT NULL,
         sequence integer NOT NULL,
         PRIMARY KEY (account_id, uid)
       )`,
      ...rowLevelSecurity('calendar_sequences'),
      `GRANT SELECT, INSERT, UPDATE ON calendar_sequences TO ${TENANT_ROLE}`,
    ],
  },
];

/** Changes to what a feed shows of a job (its time, technician, status, title, place) or of a block. */
const CHANGES = [
  'job.updated',
  'job.scheduled',
  'job.assigned',
  'job.started',
  'job.completed',
  'job.cancelled',
  'schedule_block.updated',
];

export const countCalendarChanges: EventReaction = {
  name: 'calendar event sequence',
  on: CHANGES,
  async run(ctx, event) {
    const uid = event.object.id;
    if (typeof uid !== 'string') return;
    ctx.tx.defer({
      sql: `INSERT INTO calendar_sequences (account_id, uid, sequence) VALUES ($1, $2, 1)
            ON CONFLICT (account_id, uid) DO UPDATE SET sequence = calendar_sequences.sequence + 1`,
      parameters: [ctx.tx.accountId, uid],
    });
  },
};
