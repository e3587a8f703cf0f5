// Request logs leave the request path at once: each entry is encoded to its COPY line on
// arrival and appended to a batch buffer outside the JavaScript heap (nothing waiting is an
// object the garbage collector must trace or copy), and batches are written with COPY every
// second, or sooner when one fills: about a third of what a multi-row INSERT costs PostgreSQL
// per row. A full queue drops entries and counts them; a failed write is counted too. Nothing
// here ever blocks or fails a request.
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { copyLine } from '../db/copy-text.ts';
import { CopyBatch } from '../db/copy-batch.ts';
import { Counter, type Registry as MetricsRegistry } from 'prom-client';
import { gaugeFrom } from '../platform/gauge-from.ts';
import { PollingWorker } from '../platform/jobs/polling-worker.ts';
import { RequestLogPartitions, dayOf } from './request-log-partitions.ts';
import { storableJsonText, storedBody } from './stored-body.ts';
import type { CredentialKind } from '../platform/operations/credential-kind.ts';

export interface RequestLogEntry {
  id: string;
  account_id: string;
  api_key_id: string | null;
  /** Which kind of credential made the request (src/platform/operations/credential-kind.ts). */
  credential: CredentialKind;
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
  /** For failed requests: the redacted request headers, as JSON text. */
  request_headers: string | null;
  /** For failed requests: the redacted body received; stored capped and escaped (see stored-body.ts). */
  request_body: unknown;
  /** For failed requests: the problem returned. */
  response_body: unknown;
  created_at: string;
}

const ENTRY_COLUMNS = [
  'id',
  'account_id',
  'api_key_id',
  'credential',
  'method',
  'path',
  'route',
  'status',
  'duration_us',
  'ip',
  'user_agent',
  'bytes_in',
  'bytes_out',
  'error_code',
] as const satisfies readonly (keyof RequestLogEntry)[];
// Log rows never change: updated_at is created_at.
const COPY_TARGET =
  `request_logs (${ENTRY_COLUMNS.join(', ')}, request_headers, request_body, response_body, ` +
  'request_body_bytes, response_body_bytes, body_truncated, created_at, updated_at)';

/**
 * One entry as its COPY line. Bodies are capped and made storable here (src/analytics/stored-body.ts),
 * so whatever a request carried, its entry is written.
 */
function entryLine(entry: RequestLogEntry): string {
  const request = storedBody(entry.request_body);
  const response = storedBody(entry.response_body);
  return copyLine([
    ...ENTRY_COLUMNS.map((column) => entry[column]),
    entry.request_headers === null ? null : storableJsonText(entry.request_headers),
    request.json,
    response.json,
    request.bytes,
    response.bytes,
    request.truncated || response.truncated,
    entry.created_at,
    entry.created_at,
  ]);
}

export interface RequestLogWriterOptions {
  maxQueue?: number;
  batchSize?: number;
  flushIntervalMs?: number;
  retentionDays?: number;
}

export class RequestLogWriter {
  /** Full batches waiting to be written, then the one filling. */
  readonly #full: CopyBatch[] = [];
  #filling = new CopyBatch();
  /** Written batches kept for reuse (see CopyBatch.reset). */
  readonly #spare: CopyBatch[] = [];
  #queued = 0;
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Drops the partitions past the retention: at start, then hourly. */
  readonly #retention: PollingWorker;
  readonly #partitions: RequestLogPartitions;
  readonly #maxQueue: number;
  readonly #batchSize: number;
  readonly #dropped: Counter<'reason'>;

  constructor(
    private readonly db: Database,
    metrics: MetricsRegistry,
    private readonly logger: Logger,
    private readonly options: RequestLogWriterOptions = {},
  ) {
    this.#partitions = new RequestLogPartitions(db);
    this.#retention = new PollingWorker('request log retention sweep', logger, 3_600_000, async () => {
      const days = await this.dropExpired();
      if (days.length) this.logger.info({ days }, 'dropped expired request log partitions');
      return days.length;
    });
    this.#maxQueue = options.maxQueue ?? 10_000;
    this.#batchSize = options.batchSize ?? 2_000;
    this.#dropped = new Counter({
      name: 'fieldline_request_logs_dropped_total',
      help: 'Request log entries dropped because the queue was full or a write failed.',
      labelNames: ['reason'] as const,
      registers: [metrics],
    });
    gaugeFrom(
      metrics,
      'fieldline_request_log_queue_depth',
      'Request log entries waiting to be written.',
      () => this.#queued,
    );
  }

  /** Counts an entry that never reached the queue (`record_failed`: the telemetry could not build it). */
  countDropped(reason: 'queue_full' | 'write_failed' | 'record_failed'): void {
    this.#dropped.inc({ reason });
  }

  get retentionDays(): number {
    return this.options.retentionDays ?? 30;
  }

  push(entry: RequestLogEntry): void {
    if (this.#queued >= this.#maxQueue) {
      this.countDropped('queue_full');
      return;
    }
    let line: string;
    try {
      line = entryLine(entry);
    } catch {
      this.countDropped('write_failed');
      return;
    }
    this.#filling.append(line, dayOf(entry.created_at));
    this.#queued++;
    if (this.#filling.rows >= this.#batchSize) {
      this.#sealFilling();
      if (!this.#flushing) void this.flush();
    }
  }

  start(): void {
    const interval = this.options.flushIntervalMs ?? 1_000;
    this.#timer = setInterval(() => void this.flush(), interval);
    this.#timer.unref();
    this.#retention.start();
    this.#retention.nudge();
  }

  /** Writes everything queued so far (tests and shutdown call this; the timer does otherwise). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (!this.#queued) return;
    this.#flushing = this.#writeQueued().finally(() => {
      this.#flushing = undefined;
    });
    await this.#flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#retention.stop();
    await this.flush();
  }

  /** Drops partitions past the retention now (the writer also does this hourly). */
  dropExpired(now?: number): Promise<string[]> {
    return this.#partitions.dropOlderThan(this.retentionDays, now);
  }

  /** Queues the filling batch for writing and starts another (a spare when there is one). */
  #sealFilling(): void {
    this.#full.push(this.#filling);
    this.#filling = this.#spare.pop() ?? new CopyBatch();
  }

  /**
   * Writes the full batches and the one filling now. Rows that arrive meanwhile wait for their
   * batch to fill or for the next tick: taking them at once kept a busy writer in a loop of
   * batches of a few dozen rows, each paying a transaction and three socket writes.
   */
  async #writeQueued(): Promise<void> {
    if (this.#filling.rows) this.#sealFilling();
    // Batches that fill during a write are taken by this loop too: push() starts no second flush.
    for (let batch = this.#full.shift(); batch; batch = this.#full.shift()) {
      this.#queued -= batch.rows;
      try {
        await this.#partitions.ensure(batch.keys);
        await this.#copy(batch.bytes);
        // Only once written: until PostgreSQL has answered, the socket may still hold the bytes.
        batch.reset();
        if (this.#spare.length < 2) this.#spare.push(batch);
      } catch (err) {
        // One unwritable entry must not cost the whole batch: retry them one by one.
        this.logger.warn({ err, entries: batch.rows }, 'request log batch failed; writing entries one by one');
        for (const line of batch.lines()) {
          await this.#copy(line).catch(() => this.countDropped('write_failed'));
        }
      }
    }
  }

  #copy(copyText: Uint8Array<ArrayBuffer>): Promise<void> {
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
