// A job booked, moved, given to someone else or cancelled: the calendars it concerns sync soon,
// not at the next scheduled round. In the transaction of the change (so a change rolled back
// queues nothing), a `calendar` run is queued for each connected per-member calendar of the job's
// technician and of any member whose calendar shows the job now (the one it was taken from);
// the sync runner takes it at its next poll. A run already queued for that calendar is enough.
import type { EventReaction } from '../../platform/contract.ts';
import { newId } from '../../platform/ids.ts';
import { CONNECTORS } from '../connectors.ts';

const CHANGES = [
  'job.updated',
  'job.scheduled',
  'job.assigned',
  'job.cancelled',
  'job.deleted',
  'job.started',
  'job.completed',
];

/** Per-member connectors with a `calendar` sync: Google Calendar, Microsoft Outlook calendar. */
const calendarProviders = () =>
  CONNECTORS.filter((connector) => connector.perMember && connector.syncs.calendar).map((c) => c.provider);

export const syncCalendarsOnJobChange: EventReaction = {
  name: 'calendar sync on job change',
  on: CHANGES,
  async run(ctx, event) {
    const jobId = event.object.id;
    if (typeof jobId !== 'string') return;
    const technician = typeof event.object.technician_id === 'string' ? event.object.technician_id : null;
    const calendars = await ctx.tx.query<{ id: string; provider: string; member_id: string }>({
      sql: `SELECT i.id, i.provider, i.member_id FROM integrations i
             WHERE i.account_id = $1 AND i.provider = ANY($2) AND i.member_id IS NOT NULL
               AND i.status IN ('connected', 'error')
               AND (i.member_id = $3 OR EXISTS (
                     SELECT 1 FROM integration_links l
                      WHERE l.account_id = i.account_id AND l.provider = i.provider
                        -- the shared calendar sync's links of the member (linkCollections)
                        AND l.collection = 'jobs:' || i.member_id AND l.record_id = $4))
               AND NOT EXISTS (
                     SELECT 1 FROM integration_syncs s
                      WHERE s.account_id = i.account_id AND s.provider = i.provider AND s.member_id = i.member_id
                        AND s.kind = 'calendar' AND s.status = 'queued')`,
      parameters: [ctx.tx.accountId, calendarProviders(), technician, jobId],
    });
    for (const calendar of calendars) {
      ctx.tx.defer({
        sql: `INSERT INTO integration_syncs (id, account_id, integration_id, provider, member_id, kind, status, trigger,
                                             created_count, updated_count, skipped_count, failed_count, pages,
                                             attempts, run_after, created_at, updated_at)
              VALUES ($1, $2, $3, $4, $5, 'calendar', 'queued', 'change', 0, 0, 0, 0, 0, 0, now(), now(), now())`,
        parameters: [newId('isy'), ctx.tx.accountId, calendar.id, calendar.provider, calendar.member_id],
      });
    }
  },
};
