// Request logs leave the request path at once: each entry is encoded to its COPY line on
// arrival (one flat string waits in the bounded queue, not an object graph the garbage
// collector must trace and copy) and lines are written with COPY every second, or sooner when
// a batch fills: about a third of what a multi-row INSERT costs PostgreSQL per row. A full queue
// drops entries and counts them; a failed write is counted too. Nothing here ever blocks or
// fails a request.
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { copyValue } from '../db/copy-text.ts';
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
const COPY_TARGET = `request_logs (${COLUMNS.join(', ')})`;

export interface RequestLogWriterOptions {
  maxQueue?: number;
  batchSize?: number;
  flushIntervalMs?: number;
  retentionDays?: number;
}

export class RequestLogWriter {
  /** COPY lines with the day whose partition they go to. */
  #queue: { day: string; line: string }[] = [];
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
    let line = '';
    try {
      for (const column of COLUMNS) line += (column === 'id' ? '' : '\t') + copyValue(column === 'updated_at' ? entry.created_at : entry[column]);
      line += '\n';
    } catch {
      this.metrics.requestLogsDropped.inc({ reason: 'write_failed' });
      return;
    }
    this.#queue.push({ day: dayOf(entry.created_at), line });
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
        await this.#partitions.ensure(new Set(batch.map((entry) => entry.day)));
        await this.#copy(batch);
      } catch (err) {
        // One unwritable entry must not cost the whole batch: retry them one by one.
        this.logger.warn({ err, entries: batch.length }, 'request log batch failed; writing entries one by one');
        for (const entry of batch) {
          await this.#copy([entry]).catch(() => this.metrics.requestLogsDropped.inc({ reason: 'write_failed' }));
        }
      }
    }
  }

  #copy(batch: { line: string }[]): Promise<void> {
    const copyText = batch.map((entry) => entry.line).join('');
    return this.db.withConnection(async (connection) => {
      // Logs are best effort (a full queue drops them), so their commit need not wait for the
      // WAL to reach disk: a crash loses at most the last fraction of a second of them.
      await connection.run('BEGIN; SET LOCAL synchronous_commit TO off');
      try {
        await connection.copyFrom(COPY_TARGET, copyText);
        await connection.run('COMMIT');
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }
}
