// When a failed delivery is tried again: at once, then 5 s, 5 min, 30 min, 2 h, 5 h and every
// 10 h, 12 attempts over about 2.8 days. Each wait gets ±10 % jitter so endpoints that failed
// together do not retry together; a Retry-After from the receiver (429, 503) is honoured when
// it asks for longer, up to the 10 h the schedule itself waits at most.
export const RETRY_DELAYS_SECONDS = [
  5, 300, 1_800, 7_200, 18_000, 36_000, 36_000, 36_000, 36_000, 36_000, 36_000,
] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;
const LONGEST_WAIT_SECONDS = 36_000;

/** Seconds to wait after failed attempt number `attempt` (1-based); null when none is left. */
export function retryDelaySeconds(
  attempt: number,
  retryAfterSeconds?: number | null,
  random = Math.random,
): number | null {
  const base = RETRY_DELAYS_SECONDS[attempt - 1];
  if (base === undefined) return null;
  const jittered = base * (0.9 + 0.2 * random());
  const asked = retryAfterSeconds && retryAfterSeconds > 0 ? Math.min(retryAfterSeconds, LONGEST_WAIT_SECONDS) : 0;
  return Math.max(jittered, asked);
}

/** Retry-After as seconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}
