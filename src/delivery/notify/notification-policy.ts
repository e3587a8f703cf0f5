// Who is told what, as reactions to the events the CRM already writes: the technician of a job
// when it is assigned to them or taken from them, moved or cancelled; the assignee of a ticket,
// and its owners and admins when it is escalated.
// Each notice commits with the change that caused it (src/platform/events, reactions).
import type { EmittedEvent, EventReaction, OperationContext } from '../../platform/contract.ts';
import { loadBranding } from '../branding.ts';
import { activeMembersNamed, notifyMember } from './notify-member.ts';

type Job = { id: string; title: string; technician_id: string | null; scheduled_start: string | null };
type Ticket = { id: string; subject: string; assignee_id: string | null; priority: string };

/** Moments as the account reads them (`Tue 8 Dec, 14:30`), its branding read once per notice. */
async function momentsOf(ctx: OperationContext): Promise<(timestamp: string | null) => string> {
  const format = new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: (await loadBranding(ctx.tx)).time_zone,
  });
  return (timestamp) => (timestamp ? format.format(new Date(timestamp)) : 'not scheduled yet');
}

const jobNotice = (job: Job) => ({ category: 'job' as const, about: { collection: 'jobs', id: job.id } });

async function jobAssigned(ctx: OperationContext, { object, previousAttributes = {} }: EmittedEvent) {
  const job = object as Job;
  const previousTechnician = previousAttributes.technician_id as string | null | undefined;
  const moved = 'scheduled_start' in previousAttributes;
  if (job.technician_id && previousTechnician !== undefined)
    await notifyMember(ctx, {
      ...jobNotice(job),
      userId: job.technician_id,
      kind: 'job_assigned',
      title: `Job assigned to you: ${job.title}`,
      body: `Scheduled: ${(await momentsOf(ctx))(job.scheduled_start)}.`,
    });
  else if (job.technician_id && moved) await jobRescheduled(ctx, { type: 'job.scheduled', object, previousAttributes });
  if (previousTechnician && previousTechnician !== job.technician_id)
    await notifyMember(ctx, {
      ...jobNotice(job),
      userId: previousTechnician,
      kind: 'job_assigned',
      title: `Job reassigned: ${job.title}`,
      body: 'It is no longer assigned to you.',
    });
}

async function jobRescheduled(ctx: OperationContext, { object, previousAttributes = {} }: EmittedEvent) {
  const job = object as Job;
  if (!job.technician_id) return;
  const before = previousAttributes.scheduled_start as string | null | undefined;
  const when = await momentsOf(ctx);
  await notifyMember(ctx, {
    ...jobNotice(job),
    userId: job.technician_id,
    kind: 'job_rescheduled',
    title: `${before ? 'Job rescheduled' : 'Job scheduled'}: ${job.title}`,
    body: before
      ? `Now ${when(job.scheduled_start)} (was ${when(before)}).`
      : `Scheduled: ${when(job.scheduled_start)}.`,
  });
}

async function jobCancelled(ctx: OperationContext, { object }: EmittedEvent) {
  const job = object as Job;
  if (!job.technician_id) return;
  await notifyMember(ctx, {
    ...jobNotice(job),
    userId: job.technician_id,
    kind: 'job_cancelled',
    title: `Job cancelled: ${job.title}`,
    body: job.scheduled_start
      ? `It was scheduled ${(await momentsOf(ctx))(job.scheduled_start)}.`
      : 'It was not scheduled.',
  });
}

async function ticketAssigned(ctx: OperationContext, { type, object, previousAttributes = {} }: EmittedEvent) {
  const ticket = object as Ticket;
  if (!ticket.assignee_id || (type === 'ticket.updated' && !('assignee_id' in previousAttributes))) return;
  await notifyMember(ctx, {
    userId: ticket.assignee_id,
    kind: 'ticket_assigned',
    category: 'ticket',
    about: { collection: 'tickets', id: ticket.id },
    title: `Ticket assigned to you: ${ticket.subject}`,
    body: `Priority: ${ticket.priority}.`,
  });
}

/** Who answers for an escalated ticket: its assignee, and the account's owners and admins. */
async function ticketEscalated(ctx: OperationContext, { object }: EmittedEvent) {
  const ticket = object as Ticket & { due_at: string; escalation_reason: string | null };
  const managers = await activeMembersNamed(ctx, ticket.assignee_id ? [ticket.assignee_id] : [], ['owner', 'admin']);
  const due = (await momentsOf(ctx))(ticket.due_at);
  for (const userId of managers)
    await notifyMember(ctx, {
      userId,
      kind: 'ticket_escalated',
      category: 'ticket',
      about: { collection: 'tickets', id: ticket.id },
      title: `Ticket escalated: ${ticket.subject}`,
      body:
        `Priority ${ticket.priority}, due ${due}.` + (ticket.escalation_reason ? ` ${ticket.escalation_reason}` : ''),
    });
}

export const notificationPolicy: EventReaction[] = [
  { name: 'notify the technician of an assignment', on: ['job.assigned'], run: jobAssigned },
  { name: 'notify the technician of a new time', on: ['job.scheduled'], run: jobRescheduled },
  { name: 'notify the technician of a cancellation', on: ['job.cancelled'], run: jobCancelled },
  { name: 'notify the assignee of a ticket', on: ['ticket.created', 'ticket.updated'], run: ticketAssigned },
  { name: 'notify who answers for an escalated ticket', on: ['ticket.escalated'], run: ticketEscalated },
];
