// The Redis client for shared rate limits. Commands fail at once while Redis is unreachable
// (no offline queue, no retries per command), so a request never waits on a dead Redis: the
// limiter falls back to per-node counters. The client keeps reconnecting in the background.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  let healthy = true;
  redis.on('error', (err) => {
    if (healthy) logger.warn({ err }, 'redis unavailable: rate limits are per node until it is back');
    healthy = false;
  });
  redis.on('ready', () => {
    if (!healthy) logger.info('redis is back: rate limits are shared again');
    healthy = true;
  });
  return redis;
}
