// Daily partitions of request_logs: created ahead of the rows that need them and dropped
// whole when older than the retention (a DROP TABLE, not millions of row deletes).
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';

const PARENT = 'request_logs';
const DAY_MS = 86_400_000;

/** The UTC day of a timestamp; an ISO string in UTC (what the log writes) is read without parsing. */
export const dayOf = (timestamp: string | number) =>
  typeof timestamp === 'string' && timestamp.length >= 20 && timestamp[10] === 'T' && timestamp.endsWith('Z')
    ? timestamp.slice(0, 10)
    : new Date(timestamp).toISOString().slice(0, 10);
const partitionName = (day: string) => `${PARENT}_p${day.replaceAll('-', '')}`;

export class RequestLogPartitions {
  readonly #known = new Set<string>();

  constructor(private readonly db: Database) {}

  /** Makes sure the partition for each day exists (idempotent; safe from several nodes). */
  async ensure(days: Iterable<string>): Promise<void> {
    for (const day of days) {
      if (this.#known.has(day)) continue;
      const next = dayOf(Date.parse(day) + DAY_MS);
      try {
        await systemQuery(this.db, {
          sql:
            `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF ${PARENT} FOR VALUES ` +
            `FROM ('${day}') TO ('${next}')`,
          parameters: [],
        });
      } catch (error) {
        // Another node created it between our IF NOT EXISTS check and the create.
        if (!/already exists/.test(String((error as Error).message))) throw error;
      }
      this.#known.add(day);
    }
  }

  /** Drops partitions whose whole day is older than `retentionDays`; returns the days dropped. */
  async dropOlderThan(retentionDays: number, now = Date.now()): Promise<string[]> {
    const cutoff = dayOf(now - retentionDays * DAY_MS);
    const rows = await systemQuery(this.db, {
      sql: `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1`,
      parameters: [PARENT],
    });
    const dropped: string[] = [];
    for (const { name } of rows) {
      const match = /_p(\d{4})(\d\d)(\d\d)$/.exec(name);
      if (!match) continue;
      const day = `${match[1]}-${match[2]}-${match[3]}`;
      if (day >= cutoff) continue;
      await systemQuery(this.db, { sql: `DROP TABLE IF EXISTS ${name}`, parameters: [] });
      this.#known.delete(day);
      dropped.push(day);
    }
    return dropped;
  }
}
