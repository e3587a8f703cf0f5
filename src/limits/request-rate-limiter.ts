// Request rates per credential and bucket, counted in fixed windows by rate-limiter-flexible.
// One node: counters in memory. Several nodes: Redis, so every node sees the same count; when
// Redis cannot answer, the node falls back to its own memory counters (fail open for
// availability), logs it (at most every 30 s) and counts it in the metrics.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { RateDecision, RatePolicy } from '../platform/api/traffic.ts';

interface LimiterPair {
  shared?: RateLimiterAbstract;
  local: RateLimiterMemory;
}

export interface RequestRateLimiterOptions {
  redis?: Redis;
  logger: Logger;
  /** Counts checks the shared store could not answer. */
  storeFailures: Counter;
}

export class RequestRateLimiter {
  readonly #limiters = new Map<string, LimiterPair>();
  #lastFailureLog = 0;

  constructor(private readonly options: RequestRateLimiterOptions) {}

  get store(): 'redis' | 'memory' {
    return this.options.redis ? 'redis' : 'memory';
  }

  /** Counts one request against `subject`'s `bucket` and says whether it may proceed. */
  consume(bucket: string, subject: string, policy: RatePolicy): Promise<RateDecision> {
    const limiters = this.#limitersFor(bucket, policy);
    // One promise on the single-node path: this runs on every request.
    const counted = limiters.shared
      ? this.#withFallback(limiters, (limiter) => limiter.consume(subject))
      : limiters.local.consume(subject);
    return counted.then(
      (state) => decision(policy, state, true),
      (rejection) => {
        if (rejection instanceof RateLimiterRes) return decision(policy, rejection, false);
        throw rejection;
      },
    );
  }

  /** The current state of `subject`'s bucket without counting anything. */
  async peek(bucket: string, subject: string, policy: RatePolicy): Promise<RateDecision> {
    const limiters = this.#limitersFor(bucket, policy);
    const state = await this.#withFallback(limiters, (limiter) => limiter.get(subject));
    return state
      ? decision(policy, state, state.consumedPoints <= policy.limit)
      : {
          allowed: true,
          limit: policy.limit,
          remaining: policy.limit,
          resetSeconds: 0,
          windowSeconds: policy.windowSeconds,
        };
  }

  async #withFallback<T>(limiters: LimiterPair, run: (limiter: RateLimiterAbstract) => Promise<T>): Promise<T> {
    if (!limiters.shared) return run(limiters.local);
    try {
      return await run(limiters.shared);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw error;
      this.options.storeFailures.inc();
      const now = Date.now();
      if (now - this.#lastFailureLog > 30_000) {
        this.#lastFailureLog = now;
        this.options.logger.warn({ err: error }, 'rate-limit store unavailable: limiting per node until it answers');
      }
      return run(limiters.local);
    }
  }

  #limitersFor(bucket: string, policy: RatePolicy): LimiterPair {
    const name = `${bucket}:${policy.limit}:${policy.windowSeconds}`;
    let pair = this.#limiters.get(name);
    if (!pair) {
      const settings = { points: policy.limit, duration: policy.windowSeconds, keyPrefix: `fl:rl:${name}` };
      pair = {
        local: new RateLimiterMemory(settings),
        shared: this.options.redis
          ? new RateLimiterRedis({ ...settings, storeClient: this.options.redis, rejectIfRedisNotReady: true })
          : undefined,
      };
      this.#limiters.set(name, pair);
    }
    return pair;
  }
}

function decision(policy: RatePolicy, state: RateLimiterRes, allowed: boolean): RateDecision {
  return {
    allowed,
    limit: policy.limit,
    remaining: Math.max(0, policy.limit - state.consumedPoints),
    resetSeconds: Math.max(1, Math.ceil(state.msBeforeNext / 1000)),
    windowSeconds: policy.windowSeconds,
  };
}
