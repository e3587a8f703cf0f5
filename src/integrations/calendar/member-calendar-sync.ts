// The `calendar` sync every calendar connector shares (Google Calendar, Microsoft Graph): one
// member's own calendar, the member whose connection it is.
//   out: each of their booked jobs (scheduled or in progress, not yet over) is an event, made with
//        a key stable per job and member (a redone step gets the same event), moved when the job
//        moves, deleted when it is cancelled, unscheduled or given to someone else (whose own
//        calendar then gets it, if they connected one); a completed job keeps its event;
//   in:  the calendar's busy times of the next WINDOW_DAYS (not our events) are schedule blocks
//        of theirs, so dispatch's conflict detection sees them; moved and removed with the event.
// Events are pushed before the step's transaction and their links written in it; a block that
// collides with a booked job is reported in the run, not written. Links are kept per member
// (`jobs:usr_...`), so two members' calendars never share one.
import { z } from 'zod';
import { systemQuery } from '../../db/system-query.ts';
import { deleteInTransaction } from '../../platform/operations/delete.ts';
import type { SyncKind, SyncStepArgs, SyncWrite } from '../connector.ts';
import type { BusyTime, CalendarEvent, EventInput, MemberCalendar } from './member-calendar.ts';

export const WINDOW_DAYS = 30;
const DAY = 86_400_000;

export const CalendarCursor = z.object({ synced_at: z.string() });
type Args = SyncStepArgs<z.infer<typeof CalendarCursor>>;

interface JobRow {
  id: string;
  title: string;
  description: string | null;
  scheduled_start: unknown;
  scheduled_end: unknown;
  address: unknown;
  status: string;
  [column: string]: unknown;
}

interface EventLink {
  jobId: string;
  eventId: string;
  /** What the event shows, to move it only when the job moved. */
  shown: string;
}

/** Where a member's links are kept: per member for their own connection, as before for the account's. */
export const linkCollections = (memberId: string | null) => ({
  jobs: memberId ? `jobs:${memberId}` : 'jobs',
  blocks: memberId ? `schedule-blocks:${memberId}` : 'schedule-blocks',
});

const iso = (value: unknown) => new Date(value as string).toISOString();

function eventOf(job: JobRow, memberId: string): EventInput {
  const address = typeof job.address === 'string' ? JSON.parse(job.address) : job.address;
  const place = address
    ? [address.line1, address.city].filter((part: unknown) => typeof part === 'string').join(', ')
    : '';
  return {
    jobId: job.id,
    key: `${job.id}.${memberId}`,
    subject: job.title,
    text: `${job.description ?? ''}\n\nFieldline job ${job.id}`.trim(),
    startsAt: iso(job.scheduled_start),
    endsAt: iso(job.scheduled_end),
    location: place || null,
  };
}

const shownOf = (input: EventInput) => JSON.stringify([input.subject, input.startsAt, input.endsAt, input.location]);
const sameTimes = (event: CalendarEvent, input: EventInput) =>
  event.subject === input.subject && event.startsAt === input.startsAt && event.endsAt === input.endsAt;

/** Pushes the member's booked jobs to the calendar; answers the links as they now are, and those removed. */
async function pushJobs(args: Args, provider: string, memberId: string, calendar: MemberCalendar) {
  const linked = await systemQuery<{ record_id: string; external_id: string; metadata: any }>(args.runtime.db, {
    sql: `SELECT record_id, external_id, metadata FROM integration_links
           WHERE account_id = $1 AND provider = $2 AND collection = $3`,
    parameters: [args.accountId, provider, linkCollections(args.memberId).jobs],
  });
  const byJob = new Map(
    linked
      .map((row) => ({ ...row, metadata: typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata }))
      .filter((row) => !row.metadata?.removed)
      .map((row) => [row.record_id, { eventId: row.external_id, shown: String(row.metadata?.shown ?? '') }]),
  );
  // Booked jobs not yet over, and the jobs that have an event: a completed one keeps its event.
  const jobs = await systemQuery<JobRow>(args.runtime.db, {
    sql: `SELECT id, title, description, scheduled_start, scheduled_end, address, status FROM jobs
           WHERE account_id = $1 AND technician_id = $2 AND deleted_at IS NULL AND scheduled_start IS NOT NULL
             AND (status IN ('scheduled', 'in_progress') AND scheduled_end > $3
                  OR status IN ('scheduled', 'in_progress', 'completed') AND id = ANY($4))`,
    parameters: [args.accountId, memberId, new Date(Date.now() - DAY).toISOString(), [...byJob.keys()]],
  });
  const current: EventLink[] = [];
  const removed: EventLink[] = [];
  for (const job of jobs) {
    const input = eventOf(job, memberId);
    const link = byJob.get(job.id);
    byJob.delete(job.id);
    if (link && (link.shown === shownOf(input) || job.status === 'completed')) {
      current.push({ jobId: job.id, ...link });
      continue;
    }
    const moved = link ? await calendar.update(link.eventId, input) : null;
    if (link && !moved) removed.push({ jobId: job.id, ...link }); // deleted in their calendar: made again
    let event = moved ?? (await calendar.create(input));
    // A create redone after a crash answers the event the first made, as the job was then.
    if (!moved && !sameTimes(event, input)) event = (await calendar.update(event.id, input)) ?? event;
    current.push({ jobId: job.id, eventId: event.id, shown: shownOf(input) });
  }
  // Cancelled, unscheduled, given to someone else or deleted: its event goes.
  for (const [jobId, link] of byJob) {
    await calendar.remove(link.eventId);
    removed.push({ jobId, ...link });
  }
  return { current, removed };
}

/** The member's blocks made from busy times: kept, moved, made or deleted to match them. */
async function writeBlocks(
  write: SyncWrite,
  calendar: MemberCalendar,
  provider: string,
  collection: string,
  memberId: string,
  busy: BusyTime[],
  from: string,
) {
  const { ctx, links, tally } = write;
  const blocks = ctx.registry.get('schedule-blocks');
  const linked = await ctx.tx.query<{ record_id: string; external_id: string }>({
    sql: `SELECT l.record_id, l.external_id FROM integration_links l
            JOIN schedule_blocks b ON b.account_id = l.account_id AND b.id = l.record_id
           WHERE l.account_id = $1 AND l.provider = $2 AND l.collection = $3 AND b.ends_at > $4`,
    parameters: [ctx.tx.accountId, provider, collection, from],
  });
  const byEvent = new Map(linked.map((row) => [row.external_id, row.record_id]));
  for (const time of busy) {
    const blockId = byEvent.get(time.eventId);
    byEvent.delete(time.eventId);
    const fields = { starts_at: time.startsAt, ends_at: time.endsAt };
    try {
      if (blockId) {
        const [block] = await ctx.tx.query({
          sql: 'SELECT starts_at, ends_at FROM schedule_blocks WHERE account_id = $1 AND id = $2',
          parameters: [ctx.tx.accountId, blockId],
        });
        if (iso(block.starts_at) === time.startsAt && iso(block.ends_at) === time.endsAt) tally.skipped();
        else await ctx.update('schedule-blocks', blockId, fields).then(() => tally.updated());
        continue;
      }
      const note = `Busy in ${calendar.label}${time.subject ? `: ${time.subject}` : ''}`.slice(0, 1000);
      const block = await ctx.create('schedule-blocks', { technician_id: memberId, kind: 'other', note, ...fields });
      links.upsert({ collection, recordId: block.id, externalId: time.eventId });
      tally.created();
    } catch (error) {
      tally.failed(time.eventId, `busy ${time.startsAt} - ${time.endsAt}: ${(error as Error).message}`);
    }
  }
  for (const [, blockId] of byEvent) {
    await deleteInTransaction(ctx, blocks, blockId);
    tally.updated();
  }
}

export interface CalendarSyncOf {
  provider: string;
  description: string;
  /** The provider's calendar of the connection. */
  calendar(args: Args): MemberCalendar;
  /**
   * Whose calendar it is when the connection is the account's (no `memberId`): the member, or
   * why there is none. Absent: only per-member connections sync.
   */
  accountMember?(args: Args): Promise<{ id: string } | { why: string; identity: string }>;
}

/** The `calendar` sync of a calendar connector. */
export function memberCalendarSync(of: CalendarSyncOf): SyncKind<z.infer<typeof CalendarCursor>> {
  return {
    description: of.description,
    cursor: CalendarCursor,
    async step(args) {
      const cursor = { synced_at: new Date().toISOString() };
      const member = args.memberId
        ? { id: args.memberId }
        : ((await of.accountMember?.(args)) ?? { why: 'the connection is no member’s', identity: of.provider });
      if (!('id' in member))
        return { cursor, done: true, write: async ({ tally }) => tally.failed(member.identity, member.why) };
      const collections = linkCollections(args.memberId);
      const calendar = of.calendar(args);
      const { current, removed } = await pushJobs(args, of.provider, member.id, calendar);
      const ours = new Set(current.map((link) => link.eventId));
      const from = new Date().toISOString();
      const to = new Date(Date.now() + WINDOW_DAYS * DAY).toISOString();
      const busy = (await calendar.busyTimes(from, to)).filter((time) => !ours.has(time.eventId));
      return {
        cursor,
        done: true,
        write: async (write) => {
          const jobs = collections.jobs;
          for (const link of current)
            write.links.upsert({
              collection: jobs,
              recordId: link.jobId,
              externalId: link.eventId,
              metadata: { shown: link.shown, removed: false },
            });
          for (const link of removed)
            write.links.upsert({
              collection: jobs,
              recordId: link.jobId,
              externalId: link.eventId,
              metadata: { removed: true },
            });
          await writeBlocks(write, calendar, of.provider, collections.blocks, member.id, busy, from);
        },
      };
    },
  };
}
