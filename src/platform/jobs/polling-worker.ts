// The loop of an outbox relay (mail, SMS, push): once started, it drains its queue every
// `intervalMs`, and it drains at once when asked (a test, a nudge after a commit). One drain runs
// at a time in a process; a second request joins the running one. Several nodes drain safely
// side by side because each claims its rows in the database (FOR UPDATE SKIP LOCKED).
// stop() lets the drain running finish; a drain that loops over batches asks `stopping` between
// them, so a node shutting down finishes what it claimed and leaves the rest to the other nodes.
import type { Logger } from 'pino';

export class PollingWorker {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopping = false;

  constructor(
    private readonly name: string,
    private readonly logger: Logger,
    private readonly intervalMs: number,
    /** One drain of the queue; answers how many items went out. */
    private readonly drain: () => Promise<number>,
  ) {}

  /** Whether the loop runs (a server), or drains only when asked (tests). */
  get started(): boolean {
    return this.#timer !== undefined;
  }

  /** True from stop() on: a drain should claim no further batch. */
  get stopping(): boolean {
    return this.#stopping;
  }

  start(): void {
    this.#stopping = false;
    this.#timer = setInterval(() => this.nudge(), this.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** Drains now, in the background, if started (new work was just committed). */
  nudge(): void {
    if (this.started) void this.run().catch((err) => this.logger.warn({ err }, `${this.name} failed`));
  }

  /** Drains now (`drain` given: that drain, with its own arguments), or joins the drain running. */
  run(drain: () => Promise<number> = this.drain): Promise<number> {
    this.#running ??= drain().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }
}
