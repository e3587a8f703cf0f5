// The gate every API route passes, in the order of architecture.md: authenticate (the
// credential fixes the account; no request parameter can change it), rate limit per
// credential and bucket, monthly quota, then the route's scope. One middleware, so a request
// pays one hop, and nothing here touches the database once the key is cached.
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../platform/errors.ts';
import type { Authentication } from '../platform/routes/endpoint-spec.ts';
import type { ApiKeyVerifier } from '../auth/api-keys.ts';
import type { OAuthTokenVerifier } from '../auth/oauth-tokens.ts';
import { OAUTH_ACCESS_TOKEN_PREFIX } from '../auth/oauth-provider.ts';
import { sessionCookieIn, type SessionIdentity, type SessionVerifier } from '../auth/session-verifier.ts';
import { hasScope, rateSubject, type Principal } from '../platform/operations/principal.ts';
import type { RateDecision, RequestRateLimiter } from '../limits/request-rate-limiter.ts';
import type { MonthlyQuota } from '../limits/monthly-quota.ts';
import type { RateBucket, RatePolicy } from '../limits/plans.ts';
import type { Metrics } from '../analytics/metrics.ts';
import { setRateLimitHeaders } from './rate-limit-headers.ts';
import { clientIp } from './client-ip.ts';
import './context-variables.ts';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="fieldline"' };
/** Failed authentications allowed per IP address and minute before answers turn into 429s. */
export const FAILED_AUTH_PER_IP: RatePolicy = { limit: 30, windowSeconds: 60 };
/** Calls to routes open to anyone (sign-up, sign-in, password reset) per IP address and minute. */
export const PUBLIC_CALLS_PER_IP: RatePolicy = { limit: 60, windowSeconds: 60 };

export interface GateServices {
  verifier: ApiKeyVerifier;
  sessions: SessionVerifier;
  oauthTokens: OAuthTokenVerifier;
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
  authentication?: Authentication;
  bucket(c: Context): RateBucket;
}

export function routeGate(route: GatedRoute, services: GateServices): MiddlewareHandler {
  return async function gate(c, next) {
    c.set('routeTemplate', route.path);
    if (route.authentication === 'none') {
      if (services.enforceLimits) await limitPublicCalls(c, services);
      return next();
    }
    const { principal, session } = await authenticate(c, services);
    c.set('session', session);
    if (route.authentication === 'session') {
      if (!session)
        throw new ApiError(
          'unauthenticated',
          "Sign in first: this route needs a person's session (cookie or bearer token), not an API key",
          { headers: CHALLENGE },
        );
      if (principal) c.set('principal', principal);
      return next();
    }
    if (!principal) {
      throw new ApiError(
        'forbidden',
        'This session acts in no account you are an active member of: choose one with POST /v1/auth/switch-account',
      );
    }
    c.set('principal', principal);

    if (services.enforceLimits) await enforceLimits(c, route, principal, services);
    if (route.scope && !hasScope(principal, route.scope)) {
      throw new ApiError('insufficient_scope', `This request needs the scope '${route.scope}'`, {
        required_scope: route.scope,
      });
    }
    await next();
  };
}

/** The credential's rate for the route's bucket, then the account's monthly quota. */
function enforceLimits(c: Context, route: GatedRoute, principal: Principal, services: GateServices): Promise<void> {
  const bucket = route.bucket(c);
  return chargeCall(services, principal, bucket, (rate) => setRateLimitHeaders(c, bucket, rate));
}

/**
 * Counts one call of `principal` against its rate for `bucket` and the account's monthly quota;
 * throws `rate_limited` or `quota_exceeded` past either. `onRate` sees the rate state first
 * (for the RateLimit headers). MCP tool calls are charged here too, one per call.
 */
export async function chargeCall(
  services: Pick<GateServices, 'rateLimiter' | 'quota' | 'metrics'>,
  principal: Principal,
  bucket: RateBucket,
  onRate?: (rate: RateDecision) => void,
): Promise<void> {
  const rate = await services.rateLimiter.consume(bucket, rateSubject(principal), principal.rates[bucket]);
  onRate?.(rate);
  if (!rate.allowed) {
    services.metrics.rateLimitRejections.inc({ bucket });
    throw new ApiError(
      'rate_limited',
      `Too many ${bucket} requests for this credential: ${rate.limit} per ${rate.windowSeconds} s. Retry after ${rate.resetSeconds} s.`,
      {
        headers: { 'Retry-After': String(rate.resetSeconds) },
      },
    );
  }
  const quota = services.quota.take(principal.accountId, principal.plan);
  if (!quota.allowed) {
    services.metrics.rateLimitRejections.inc({ bucket: 'quota' });
    throw new ApiError(
      'quota_exceeded',
      `This account has used its ${quota.state.limit} requests for ${quota.state.period} (plan '${principal.plan.name}'). The quota resets at the start of next month (UTC).`,
      {
        headers: { 'Retry-After': String(quota.state.resetSeconds) },
      },
    );
  }
}

/** Routes open to anyone: PUBLIC_CALLS_PER_IP per address. */
export async function limitPublicCalls(
  c: Context,
  services: Pick<GateServices, 'rateLimiter' | 'metrics' | 'trustProxy'>,
): Promise<void> {
  const rate = await services.rateLimiter.consume(
    'public',
    clientIp(c, services.trustProxy) ?? 'unknown',
    PUBLIC_CALLS_PER_IP,
  );
  setRateLimitHeaders(c, 'public', rate);
  if (!rate.allowed) {
    services.metrics.rateLimitRejections.inc({ bucket: 'public' });
    throw new ApiError(
      'rate_limited',
      `Too many calls from this address: ${rate.limit} per ${rate.windowSeconds} s. Retry after ${rate.resetSeconds} s.`,
      {
        headers: { 'Retry-After': String(rate.resetSeconds) },
      },
    );
  }
}

/**
 * An API key (`Bearer fl_...`), an OAuth access token (`Bearer flo_at_...`), a session token
 * (`Bearer ...`) or a session cookie. A session
 * yields a principal only while it acts in an account its person is an active member of.
 */
async function authenticate(
  c: Context,
  services: GateServices,
): Promise<{ principal: Principal | null; session?: SessionIdentity }> {
  const header = c.req.header('authorization');
  const bearer = header ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
  const cookie = header ? null : sessionCookieIn(c.req.header('cookie'));
  if (bearer?.startsWith('fl_')) {
    const principal = await services.verifier.verify(bearer);
    if (principal) return { principal };
  } else if (bearer?.startsWith(OAUTH_ACCESS_TOKEN_PREFIX)) {
    const principal = await services.oauthTokens.verify(bearer);
    if (principal) return { principal };
  } else if (bearer || cookie) {
    const session = await services.sessions.identify((bearer ?? cookie)!);
    if (session) return { principal: session.principal, session };
  }
  await countFailedAuthentication(c, services);
  if (!header && !cookie)
    throw new ApiError('unauthenticated', 'Send your API key as `Authorization: Bearer fl_...`, or sign in', {
      headers: CHALLENGE,
    });
  throw new ApiError('unauthenticated', 'The credential is not valid (unknown, revoked or expired)', {
    headers: CHALLENGE,
  });
}

/**
 * Guessing credentials (keys, inbound URLs, signatures) from one address gets slower answers:
 * 429 after a few dozen failures a minute. Call it on each failure.
 */
export async function countFailedAuthentication(
  c: Context,
  services: Pick<GateServices, 'rateLimiter' | 'metrics' | 'trustProxy'>,
): Promise<void> {
  const ip = clientIp(c, services.trustProxy);
  if (!ip) return;
  const failures = await services.rateLimiter.consume('failed_auth', ip, FAILED_AUTH_PER_IP);
  if (!failures.allowed) {
    services.metrics.rateLimitRejections.inc({ bucket: 'failed_auth' });
    throw new ApiError(
      'rate_limited',
      `Too many failed authentications from this address. Retry after ${failures.resetSeconds} s.`,
      {
        headers: { 'Retry-After': String(failures.resetSeconds) },
      },
    );
  }
}
