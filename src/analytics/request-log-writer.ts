// Request logs leave the request path at once: entries go to a bounded in-memory queue and
// are written in multi-row INSERTs every second (or sooner when a batch fills). A full queue
// drops entries and counts them; a failed write is counted too. Nothing here ever blocks or
// fails a request.
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import type { Metrics } from './metrics.ts';
import { RequestLogPartitions, dayOf } from './request-log-partitions.ts';

export interface RequestLogEntry {
  id: string;
  account_id: string;
  api_key_id: string | null;
  method: string;
  path: string;
  route: string | null;
  status: number;
  duration_us: number;
  ip: string | null;
  user_agent: string | null;
  bytes_in: number | null;
  bytes_out: number | null;
  error_code: string | null;
  request_headers: Record<string, string>;
  request_body: unknown;
  response_body: unknown;
  created_at: string;
}

const COLUMNS = [
  'id', 'account_id', 'api_key_id', 'method', 'path', 'route', 'status', 'duration_us', 'ip', 'user_agent', 'bytes_in', 'bytes_out',
  'error_code', 'request_headers', 'request_body', 'response_body', 'created_at', 'updated_at',
] as const;
const JSON_COLUMNS = new Set(['request_headers', 'request_body', 'response_body']);

export interface RequestLogWriterOptions {
  maxQueue?: number;
  batchSize?: number;
  flushIntervalMs?: number;
  retentionDays?: number;
}

export class RequestLogWriter {
  #queue: RequestLogEntry[] = [];
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #retentionTimer: NodeJS.Timeout | undefined;
  readonly #partitions: RequestLogPartitions;
  readonly #maxQueue: number;
  readonly #batchSize: number;

  constructor(
    private readonly db: Database,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly options: RequestLogWriterOptions = {},
  ) {
    this.#partitions = new RequestLogPartitions(db);
    this.#maxQueue = options.maxQueue ?? 10_000;
    this.#batchSize = options.batchSize ?? 500;
    metrics.gaugeFrom('fieldline_request_log_queue_depth', 'Request log entries waiting to be written.', () => this.#queue.length);
  }

  get retentionDays(): number {
    return this.options.retentionDays ?? 30;
  }

  push(entry: RequestLogEntry): void {
    if (this.#queue.length >= this.#maxQueue) {
      this.metrics.requestLogsDropped.inc({ reason: 'queue_full' });
      return;
    }
    this.#queue.push(entry);
    if (this.#queue.length >= this.#batchSize && !this.#flushing) void this.flush();
  }

  start(): void {
    const interval = this.options.flushIntervalMs ?? 1_000;
    this.#timer = setInterval(() => void this.flush(), interval);
    this.#timer.unref();
    const sweep = () => this.#partitions.dropOlderThan(this.retentionDays)
      .then((days) => { if (days.length) this.logger.info({ days }, 'dropped expired request log partitions'); })
      .catch((err) => this.logger.warn({ err }, 'could not drop expired request log partitions'));
    void sweep();
    this.#retentionTimer = setInterval(sweep, 3_600_000);
    this.#retentionTimer.unref();
  }

  /** Writes everything queued so far (tests and shutdown call this; the timer does otherwise). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (!this.#queue.length) return;
    this.#flushing = this.#writeQueued().finally(() => { this.#flushing = undefined; });
    await this.#flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    clearInterval(this.#retentionTimer);
    await this.flush();
  }

  /** Drops partitions past the retention now (the writer also does this hourly). */
  dropExpired(now?: number): Promise<string[]> {
    return this.#partitions.dropOlderThan(this.retentionDays, now);
  }

  async #writeQueued(): Promise<void> {
    while (this.#queue.length) {
      const batch = this.#queue.splice(0, this.#batchSize);
      try {
        await this.#partitions.ensure(new Set(batch.map((entry) => dayOf(entry.created_at))));
        await systemQuery(this.db, insertStatement(batch));
      } catch (err) {
        // One unwritable entry must not cost the whole batch: retry them one by one.
        this.logger.warn({ err, entries: batch.length }, 'request log batch failed; writing entries one by one');
        for (const entry of batch) {
          await systemQuery(this.db, insertStatement([entry])).catch(() => this.metrics.requestLogsDropped.inc({ reason: 'write_failed' }));
        }
      }
    }
  }
}

function insertStatement(batch: RequestLogEntry[]) {
  const parameters: unknown[] = [];
  const rows = batch.map((entry) => `(${COLUMNS.map((column) => {
    const value = column === 'updated_at' ? entry.created_at : entry[column];
    parameters.push(JSON_COLUMNS.has(column) && value !== null && value !== undefined ? JSON.stringify(value) : value ?? null);
    return `$${parameters.length}`;
  }).join(', ')})`);
  return { sql: `INSERT INTO request_logs (${COLUMNS.join(', ')}) VALUES ${rows.join(', ')}`, parameters };
}
