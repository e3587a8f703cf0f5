// A feed's entries as an iCalendar document (RFC 5545), through ical-generator. Times are UTC
// (every calendar app shows them in its own zone); X-WR-TIMEZONE names the account's zone for
// apps that use it as the calendar's default. Everything is taken from the rows (DTSTAMP is the
// row's last change, not the time of the request), so an unchanged feed renders to the same
// bytes and its ETag holds.
import ical, { ICalEventBusyStatus, ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import type { FeedBlock, FeedEntries, FeedJob } from './feed-entries.ts';

export interface FeedHeading {
  /** The feed's own label, if it has one. */
  name: string | null;
  /** The API's public base URL: each job's link. */
  publicUrl: string;
  /** Minutes calendar apps are asked to wait between polls. */
  refreshMinutes: number;
}

const BLOCK_KINDS: Record<string, string> = {
  time_off: 'Time off',
  break: 'Break',
  training: 'Training',
  travel: 'Travel',
  other: 'Unavailable',
};

/** One line of the address fields present, as a map or a navigation app reads it. */
export function addressLine(address: Record<string, unknown> | null): string | null {
  if (!address) return null;
  const parts = ['line1', 'line2', 'city', 'region', 'postal_code', 'country']
    .map((name) => address[name])
    .filter((value): value is string => typeof value === 'string' && value.trim() !== '');
  return parts.length ? parts.join(', ') : null;
}

function geoOf(address: Record<string, unknown> | null) {
  const { latitude: lat, longitude: lon } = address ?? {};
  return typeof lat === 'number' && typeof lon === 'number' ? { lat, lon } : null;
}

function jobDescription(job: FeedJob, link: string): string {
  const customer = [job.customer_name, job.customer_phone].filter(Boolean).join(', ');
  const lines = [
    customer && `Customer: ${customer}`,
    `Technician: ${job.technician_name ?? 'not assigned'}`,
    `Status: ${job.status.replace(/_/g, ' ')}`,
    job.status === 'cancelled' && job.cancellation_reason ? `Cancelled: ${job.cancellation_reason}` : '',
    job.description ?? '',
    `Job: ${link}`,
  ];
  return lines.filter(Boolean).join('\n');
}

function addJob(calendar: ReturnType<typeof ical>, job: FeedJob, publicUrl: string): void {
  const link = `${publicUrl.replace(/\/$/, '')}/v1/jobs/${job.id}`;
  const address = job.address ?? job.customer_address;
  const place = addressLine(address);
  const geo = geoOf(address);
  const cancelled = job.status === 'cancelled';
  calendar.createEvent({
    id: job.id,
    start: new Date(job.scheduled_start),
    end: new Date(job.scheduled_end),
    stamp: new Date(job.updated_at),
    lastModified: new Date(job.updated_at),
    sequence: job.sequence,
    summary: job.customer_name ? `${job.title} (${job.customer_name})` : job.title,
    location: place ? (geo ? { title: place, geo } : place) : geo ? { title: 'Job site', geo } : null,
    description: jobDescription(job, link),
    url: link,
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    transparency: cancelled ? ICalEventTransparency.TRANSPARENT : ICalEventTransparency.OPAQUE,
    busystatus: cancelled ? ICalEventBusyStatus.FREE : ICalEventBusyStatus.BUSY,
  });
}

function addBlock(calendar: ReturnType<typeof ical>, block: FeedBlock): void {
  calendar.createEvent({
    id: block.id,
    start: new Date(block.starts_at),
    end: new Date(block.ends_at),
    stamp: new Date(block.updated_at),
    lastModified: new Date(block.updated_at),
    sequence: block.sequence,
    // The kind only: a block's note is the office's, and the feed may be shared further.
    summary: `Busy: ${BLOCK_KINDS[block.kind] ?? 'Unavailable'}`,
    status: ICalEventStatus.CONFIRMED,
    transparency: ICalEventTransparency.OPAQUE,
    busystatus: block.kind === 'time_off' ? ICalEventBusyStatus.OOF : ICalEventBusyStatus.BUSY,
  });
}

export function renderIcs(entries: FeedEntries, heading: FeedHeading): string {
  const calendar = ical({
    name: heading.name ?? `${entries.accountName}: jobs`,
    prodId: { company: 'Fieldline', product: 'Calendar feed', language: 'EN' },
    ttl: heading.refreshMinutes * 60,
  });
  calendar.x([['X-WR-TIMEZONE', entries.timeZone]]);
  for (const job of entries.jobs) addJob(calendar, job, heading.publicUrl);
  for (const block of entries.blocks) addBlock(calendar, block);
  return calendar.toString();
}
