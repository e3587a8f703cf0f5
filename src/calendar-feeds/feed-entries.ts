// What a calendar feed shows, read in the feed's account (as its tenant: row-level security keeps
// every other account's rows out) in one round trip: the account's name and time zone, the jobs
// booked in the feed's window with their customer, technician and change count, and for a
// technician's feed their schedule blocks.
import { tenantRead } from '../platform/operations/tenant-read.ts';
import type { Runtime } from '../platform/contract.ts';

export interface FeedJob {
  id: string;
  title: string;
  description: string | null;
  status: string;
  address: Record<string, unknown> | null;
  scheduled_start: string;
  scheduled_end: string;
  cancellation_reason: string | null;
  updated_at: string;
  customer_name: string | null;
  customer_phone: string | null;
  customer_address: Record<string, unknown> | null;
  technician_name: string | null;
  sequence: number;
}

export interface FeedBlock {
  id: string;
  kind: string;
  starts_at: string;
  ends_at: string;
  updated_at: string;
  sequence: number;
}

export interface FeedEntries {
  accountName: string;
  timeZone: string;
  jobs: FeedJob[];
  blocks: FeedBlock[];
}

/** A feed polled every few minutes stays bounded whatever the account books. */
const MAX_ENTRIES = 5_000;

const JOBS = `SELECT j.id, j.title, j.description, j.status, j.address, j.scheduled_start, j.scheduled_end,
         j.cancellation_reason, j.updated_at, c.name AS customer_name, c.phone AS customer_phone,
         c.address AS customer_address, u.name AS technician_name, coalesce(s.sequence, 0) AS sequence
    FROM jobs j
    LEFT JOIN customers c ON c.account_id = j.account_id AND c.id = j.customer_id
    LEFT JOIN users u ON u.account_id = j.account_id AND u.id = j.technician_id
    LEFT JOIN calendar_sequences s ON s.account_id = j.account_id AND s.uid = j.id
   WHERE j.account_id = $1 AND j.deleted_at IS NULL AND j.status <> 'unscheduled'
     AND j.scheduled_start < $3 AND j.scheduled_end > $2 AND ($4::text IS NULL OR j.technician_id = $4)
   ORDER BY j.scheduled_start, j.id
   LIMIT ${MAX_ENTRIES}`;

const BLOCKS = `SELECT b.id, b.kind, b.starts_at, b.ends_at, b.updated_at, coalesce(s.sequence, 0) AS sequence
    FROM schedule_blocks b
    LEFT JOIN calendar_sequences s ON s.account_id = b.account_id AND s.uid = b.id
   WHERE b.account_id = $1 AND b.technician_id = $4 AND b.starts_at < $3 AND b.ends_at > $2
   ORDER BY b.starts_at, b.id
   LIMIT ${MAX_ENTRIES}`;

// The name documents carry and the time zone of the account's branding (src/delivery/branding.ts),
// whose defaults apply until the account sets them.
const ACCOUNT = `SELECT coalesce(b.business_name, a.name) AS name, coalesce(b.time_zone, 'UTC') AS time_zone
    FROM accounts a LEFT JOIN account_branding b ON b.account_id = a.id WHERE a.id = $1`;

export async function loadFeedEntries(
  runtime: Runtime,
  accountId: string,
  technicianId: string | null,
  window: { starts_at: string; ends_at: string },
): Promise<FeedEntries> {
  const parameters = [accountId, window.starts_at, window.ends_at, technicianId];
  const [[account], jobs, blocks = []] = await tenantRead(runtime, accountId, [
    { sql: ACCOUNT, parameters: [accountId] },
    { sql: JOBS, parameters },
    ...(technicianId ? [{ sql: BLOCKS, parameters }] : []),
  ]);
  return {
    accountName: account.name,
    timeZone: account.time_zone,
    jobs: (jobs as unknown as FeedJob[]).map((job) => ({ ...job, sequence: Number(job.sequence) })),
    blocks: (blocks as unknown as FeedBlock[]).map((block) => ({ ...block, sequence: Number(block.sequence) })),
  };
}
