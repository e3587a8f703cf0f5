// Monthly quotas (API requests, webhook deliveries, automation runs, LLM tokens) without a database round trip per use:
// each node counts locally and, every second, adds its count to the account's row in
// usage_counters and reads back the total all nodes have reached. Several nodes can therefore
// overshoot a quota by about one flush interval of traffic; a quota is a billing limit, not a
// burst guard.
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import type { Plan } from '../platform/api/traffic.ts';

/** Share of the monthly quota at which the account is warned (once per month). */
export const QUOTA_WARNING_SHARE = 0.8;

/** What is counted, where in usage_counters, and the plan's allowance of it. */
export const QUOTA_METRICS = {
  requests: { column: 'requests', warnedColumn: 'warned_at', limitOf: (plan: Plan) => plan.monthlyRequests },
  webhook_deliveries: {
    column: 'webhook_deliveries',
    warnedColumn: 'webhook_deliveries_warned_at',
    limitOf: (plan: Plan) => plan.monthlyWebhookDeliveries,
  },
  automation_runs: {
    column: 'automation_runs',
    warnedColumn: 'automation_runs_warned_at',
    limitOf: (plan: Plan) => plan.monthlyAutomationRuns,
  },
  ai_tokens: {
    column: 'ai_tokens',
    warnedColumn: 'ai_tokens_warned_at',
    limitOf: (plan: Plan) => plan.monthlyAiTokens,
  },
} as const;
export type QuotaMetric = keyof typeof QUOTA_METRICS;

interface AccountUsage {
  period: string;
  plan: Plan;
  /** The total across all nodes as of the last flush. */
  flushed: number;
  /** Counted here since the last flush. */
  pending: number;
}

export interface QuotaState {
  metric: QuotaMetric;
  period: string;
  used: number;
  limit: number;
  /** Seconds until the quota resets (the start of next month, UTC). */
  resetSeconds: number;
}

export const periodOf = (now: number) => new Date(now).toISOString().slice(0, 7);

/** The first instant of the month after `now`'s (UTC), in ms. */
export const nextPeriodStart = (now: number) => spanOf(now).end;

/** The month containing `now`, remembered: every request asks, and months are long. */
interface PeriodSpan {
  period: string;
  start: number;
  end: number;
}
let currentSpan: PeriodSpan = { period: '', start: 0, end: 0 };

function spanOf(now: number): PeriodSpan {
  if (now >= currentSpan.start && now < currentSpan.end) return currentSpan;
  const date = new Date(now);
  currentSpan = {
    period: periodOf(now),
    start: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1),
    end: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1),
  };
  return currentSpan;
}

function secondsUntilNextPeriod(now: number): number {
  return Math.ceil((spanOf(now).end - now) / 1000);
}

export interface MonthlyQuotaOptions {
  /** What this counter counts; default: API requests. */
  metric?: QuotaMetric;
  flushIntervalMs?: number;
  /** Called once per account and month when usage first crosses QUOTA_WARNING_SHARE. */
  onWarning?: (accountId: string, state: QuotaState) => Promise<void>;
}

export class MonthlyQuota {
  readonly #usage = new Map<string, AccountUsage>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  readonly metric: QuotaMetric;
  readonly #column: string;
  readonly #warnedColumn: string;
  readonly #limitOf: (plan: Plan) => number;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly options: MonthlyQuotaOptions = {},
  ) {
    this.metric = options.metric ?? 'requests';
    ({ column: this.#column, warnedColumn: this.#warnedColumn, limitOf: this.#limitOf } = QUOTA_METRICS[this.metric]);
  }

  /** Counts one use when the quota allows it; returns the state and whether it was allowed. */
  take(accountId: string, plan: Plan, now = Date.now()): { allowed: boolean; state: QuotaState } {
    const usage = this.#entry(accountId, plan, now);
    const used = usage.flushed + usage.pending;
    const limit = this.#limitOf(plan);
    const allowed = used < limit;
    if (allowed) usage.pending++;
    return {
      allowed,
      state: {
        metric: this.metric,
        period: usage.period,
        used: allowed ? used + 1 : used,
        limit,
        resetSeconds: secondsUntilNextPeriod(now),
      },
    };
  }

  /**
   * Counts `amount` uses already made, allowed or not (an LLM call's tokens are known only once it
   * answered: the call was allowed by `current` before it, its cost is charged after).
   */
  charge(accountId: string, plan: Plan, amount: number, now = Date.now()): void {
    if (amount > 0) this.#entry(accountId, plan, now).pending += amount;
  }

  state(accountId: string, plan: Plan, now = Date.now()): QuotaState {
    const usage = this.#entry(accountId, plan, now);
    return {
      metric: this.metric,
      period: usage.period,
      used: usage.flushed + usage.pending,
      limit: this.#limitOf(plan),
      resetSeconds: secondsUntilNextPeriod(now),
    };
  }

  /** The state with the total all nodes have flushed, read now (for reports, not the hot path). */
  async current(accountId: string, plan: Plan, now = Date.now()): Promise<QuotaState> {
    const usage = this.#entry(accountId, plan, now);
    const [row] = await systemQuery(this.db, {
      sql: `SELECT ${this.#column} AS used FROM usage_counters WHERE account_id = $1 AND period = $2`,
      parameters: [accountId, usage.period],
    });
    if (row) usage.flushed = Math.max(usage.flushed, Number(row.used));
    return this.state(accountId, plan, now);
  }

  start(): void {
    this.#timer = setInterval(() => void this.flush(), this.options.flushIntervalMs ?? 1_000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  /** Adds every pending count to usage_counters and learns the totals back. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    this.#flushing = this.#write().finally(() => {
      this.#flushing = undefined;
    });
    await this.#flushing;
  }

  #entry(accountId: string, plan: Plan, now: number): AccountUsage {
    const period = spanOf(now).period;
    let usage = this.#usage.get(accountId);
    if (!usage || usage.period !== period) {
      usage = { period, plan, flushed: 0, pending: 0 };
      this.#usage.set(accountId, usage);
    }
    usage.plan = plan;
    return usage;
  }

  async #write(): Promise<void> {
    const batch = [...this.#usage]
      .filter(([, usage]) => usage.pending > 0)
      .map(([accountId, usage]) => ({ accountId, usage, count: usage.pending }));
    if (!batch.length) return;
    for (const item of batch) item.usage.pending -= item.count;
    const parameters: unknown[] = [];
    const values = batch.map(({ accountId, usage, count }) => {
      parameters.push(accountId, usage.period, count);
      return `($${parameters.length - 2}, $${parameters.length - 1}, $${parameters.length})`;
    });
    let rows;
    try {
      rows = await systemQuery(this.db, {
        sql: `INSERT INTO usage_counters (account_id, period, ${this.#column}) VALUES ${values.join(', ')}
              ON CONFLICT (account_id, period) DO UPDATE
              SET ${this.#column} = usage_counters.${this.#column} + EXCLUDED.${this.#column}
              RETURNING account_id, period, ${this.#column} AS used, ${this.#warnedColumn} AS warned_at`,
        parameters,
      });
    } catch (err) {
      // Keep the counts for the next flush: usage is never silently forgotten.
      for (const item of batch) item.usage.pending += item.count;
      this.logger.warn({ err, metric: this.metric }, 'could not record usage; will retry');
      return;
    }
    for (const row of rows) {
      const usage = this.#usage.get(row.account_id);
      if (!usage || usage.period !== row.period) continue;
      usage.flushed = Number(row.used);
      const limit = this.#limitOf(usage.plan);
      if (row.warned_at === null && usage.flushed >= limit * QUOTA_WARNING_SHARE)
        await this.#warn(row.account_id, usage);
    }
  }

  async #warn(accountId: string, usage: AccountUsage): Promise<void> {
    // Only the node whose update flips warned_at sends the warning.
    const [claimed] = await systemQuery(this.db, {
      sql: `UPDATE usage_counters SET ${this.#warnedColumn} = now()
            WHERE account_id = $1 AND period = $2 AND ${this.#warnedColumn} IS NULL
            RETURNING ${this.#column} AS used`,
      parameters: [accountId, usage.period],
    });
    if (!claimed || !this.options.onWarning) return;
    const now = Date.now();
    await this.options
      .onWarning(accountId, {
        metric: this.metric,
        period: usage.period,
        used: Number(claimed.used),
        limit: this.#limitOf(usage.plan),
        resetSeconds: secondsUntilNextPeriod(now),
      })
      .catch((err) => this.logger.warn({ err, account_id: accountId }, 'could not send the quota warning'));
  }
}
