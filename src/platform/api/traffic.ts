// The vocabulary of traffic control that every credential carries (buckets, rates, plans), and
// the seam through which calls are charged. The limits module provides the service; the HTTP
// layer and operations that charge their own calls (MCP) use it.
import type { Principal } from '../operations/principal.ts';
import { serviceKey } from './runtime.ts';

/** Reads, writes and the routes that cost the database most (export, bulk, search) are limited separately. */
export const RATE_BUCKETS = ['read', 'write', 'expensive'] as const;
export type RateBucket = (typeof RATE_BUCKETS)[number];

export interface RatePolicy {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in seconds. */
  windowSeconds: number;
}

export type RateLimits = Record<RateBucket, RatePolicy>;

export interface Plan {
  name: string;
  rates: RateLimits;
  /** Requests per calendar month (UTC). */
  monthlyRequests: number;
  /** Webhook deliveries per calendar month (UTC). */
  monthlyWebhookDeliveries: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (rounded up, at least 1 while anything is counted). */
  resetSeconds: number;
  windowSeconds: number;
}

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
