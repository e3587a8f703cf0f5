// The seam through which calls are charged: the limits module provides it; the HTTP layer's
// gate and operations charged by their body (MCP) use it.
import type { Principal } from '../operations/principal.ts';
import { serviceKey } from './service-key.ts';
import type { RateBucket, RateDecision } from './traffic.ts';

/** The rate a decision was made against, for the RateLimit headers: the bucket, or `public` per address. */
export type RateReport = (policy: string, decision: RateDecision) => void;

export interface TrafficControl {
  /**
   * Counts one call of `principal` against its rate for `bucket` and the account's monthly quota;
   * throws `rate_limited` or `quota_exceeded` past either. `report` sees the rate first.
   */
  charge(principal: Principal, bucket: RateBucket, report?: RateReport): Promise<void>;
  /** Counts a call of an operation open to anyone against the caller's address. */
  chargeAddress(ip: string | null, report?: RateReport): Promise<void>;
  /** Counts a failed authentication from `ip`; throws `rate_limited` once an address fails too often. */
  countFailedAuthentication(ip: string | null): Promise<void>;
}

export const trafficControl = serviceKey<TrafficControl>('traffic control');
