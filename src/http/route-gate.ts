// The gate every API route passes, in the order of architecture.md: authenticate (the
// credential fixes the account; no request parameter can change it), rate limit per
// credential and bucket, monthly quota, then the route's scope. One middleware, so a request
// pays one hop, and nothing here touches the database once the key is cached.
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../platform/errors.ts';
import type { ApiKeyVerifier } from '../auth/api-keys.ts';
import { hasScope, type Principal } from '../platform/operations/principal.ts';
import type { RequestRateLimiter } from '../limits/request-rate-limiter.ts';
import type { MonthlyQuota } from '../limits/monthly-quota.ts';
import type { RateBucket, RatePolicy } from '../limits/plans.ts';
import type { Metrics } from '../analytics/metrics.ts';
import { setRateLimitHeaders } from './rate-limit-headers.ts';
import { clientIp } from './client-ip.ts';
import './context-variables.ts';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="fieldline"' };
/** Failed authentications allowed per IP address and minute before answers turn into 429s. */
export const FAILED_AUTH_PER_IP: RatePolicy = { limit: 30, windowSeconds: 60 };

export interface GateServices {
  verifier: ApiKeyVerifier;
  rateLimiter: RequestRateLimiter;
  quota: MonthlyQuota;
  metrics: Metrics;
  trustProxy: boolean;
  /** false: no rate limits or quotas (the benchmark's baseline; see AppOptions.trafficControl). */
  enforceLimits: boolean;
}

export interface GatedRoute {
  path: string;
  /** null: any valid credential will do. */
  scope: string | null;
  bucket(c: Context): RateBucket;
}

export function routeGate(route: GatedRoute, services: GateServices): MiddlewareHandler {
  return async function gate(c, next) {
    c.set('routeTemplate', route.path);
    const principal = await authenticate(c, services);
    c.set('principal', principal);

    if (services.enforceLimits) await enforceLimits(c, route, principal, services);
    if (route.scope && !hasScope(principal, route.scope)) {
      throw new ApiError('insufficient_scope', `This request needs the scope '${route.scope}'`, { required_scope: route.scope });
    }
    await next();
  };
}

/** The credential's rate for the route's bucket, then the account's monthly quota. */
async function enforceLimits(c: Context, route: GatedRoute, principal: Principal, services: GateServices): Promise<void> {
  const bucket = route.bucket(c);
  const rate = await services.rateLimiter.consume(bucket, principal.keyId ?? principal.accountId, principal.rates[bucket]);
  setRateLimitHeaders(c, bucket, rate);
  if (!rate.allowed) {
    services.metrics.rateLimitRejections.inc({ bucket });
    throw new ApiError('rate_limited', `Too many ${bucket} requests for this credential: ${rate.limit} per ${rate.windowSeconds} s. Retry after ${rate.resetSeconds} s.`, {
      headers: { 'Retry-After': String(rate.resetSeconds) },
    });
  }
  const quota = services.quota.take(principal.accountId, principal.plan);
  if (!quota.allowed) {
    services.metrics.rateLimitRejections.inc({ bucket: 'quota' });
    throw new ApiError('quota_exceeded', `This account has used its ${quota.state.limit} requests for ${quota.state.period} (plan '${principal.plan.name}'). The quota resets at the start of next month (UTC).`, {
      headers: { 'Retry-After': String(quota.state.resetSeconds) },
    });
  }
}

async function authenticate(c: Context, services: GateServices): Promise<Principal> {
  const header = c.req.header('authorization');
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  const principal = match ? await services.verifier.verify(match[1]) : null;
  if (principal) return principal;
  await countFailedAuthentication(c, services);
  if (!header) throw new ApiError('unauthenticated', 'Send your API key as `Authorization: Bearer fl_...`', { headers: CHALLENGE });
  throw new ApiError('unauthenticated', 'The credential is not valid (unknown, revoked or expired)', { headers: CHALLENGE });
}

/**
 * Guessing credentials (keys, inbound URLs, signatures) from one address gets slower answers:
 * 429 after a few dozen failures a minute. Call it on each failure.
 */
export async function countFailedAuthentication(c: Context, services: Pick<GateServices, 'rateLimiter' | 'metrics' | 'trustProxy'>): Promise<void> {
  const ip = clientIp(c, services.trustProxy);
  if (!ip) return;
  const failures = await services.rateLimiter.consume('failed_auth', ip, FAILED_AUTH_PER_IP);
  if (!failures.allowed) {
    services.metrics.rateLimitRejections.inc({ bucket: 'failed_auth' });
    throw new ApiError('rate_limited', `Too many failed authentications from this address. Retry after ${failures.resetSeconds} s.`, {
      headers: { 'Retry-After': String(failures.resetSeconds) },
    });
  }
}
