// RateLimit-Policy and RateLimit (IETF draft-ietf-httpapi-ratelimit-headers-09, structured
// fields): `"read";q=6000;w=60` names the policy; `"read";r=5990;t=42` is what is left of it
// and when it resets.
import type { Context } from 'hono';
import type { RateDecision } from '../platform/api/traffic.ts';

export function setRateLimitHeaders(c: Context, policy: string, decision: RateDecision): void {
  c.header('RateLimit-Policy', `"${policy}";q=${decision.limit};w=${decision.windowSeconds}`);
  c.header('RateLimit', `"${policy}";r=${decision.remaining};t=${decision.resetSeconds}`);
}
