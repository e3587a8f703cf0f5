// The gate every operation passes, in the order of architecture.md: authenticate (the
// credential fixes the account; no request parameter can change it; a session cookie's changes
// come from trusted pages only, cross-site.ts), rate limit per credential and bucket, monthly
// quota, then the operation's scope and the plan capability it needs (plan-features.ts).
// Operations open to anyone are limited per address instead; providers' signed requests are
// checked by their operation. One middleware, so a request pays one hop, and nothing here
// touches the database once the credential is cached.
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../platform/errors.ts';
import type { Operation, SessionIdentity } from '../platform/api/operation.ts';
import type { RateDecision } from '../platform/api/traffic.ts';
import { requireFeature } from '../platform/api/plan-features.ts';
import { trafficControl, type TrafficControl } from '../platform/api/traffic-control.ts';
import { accountSuspended, hasScope, type Principal } from '../platform/operations/principal.ts';
import { credentials, customerCredentials, operatorCredentials, type Credentials } from './http-services.ts';
import { authenticateCustomer } from './customer-authentication.ts';
import { authenticateOperator } from './operator-authentication.ts';
import { refuseCrossSite } from './cross-site.ts';
import { setRateLimitHeaders } from './rate-limit-headers.ts';
import { clientIp } from './client-ip.ts';
import { queryOf } from './query-of.ts';
import './context-variables.ts';
import type { Runtime } from '../platform/contract.ts';

const BEARER_CHALLENGE = 'Bearer realm="fieldline"';
const COOKIE_FROM_ELSEWHERE =
  "A session cookie is accepted for changes only from this server's own pages, the developer portal's " +
  'origins and the origins your account allows (cors_allowed_origins); other clients send an API key, ' +
  'an OAuth access token or the session token as `Authorization: Bearer ...`';

export interface GateOptions {
  /** Origins whose pages may use a person's session cookie for changes (the portal served elsewhere). */
  portalOrigins?: readonly string[];
}

/** Sets the RateLimit headers of the decision a call was charged by. */
export const reportRate = (c: Context) => (policy: string, decision: RateDecision) =>
  setRateLimitHeaders(c, policy, decision);

/** Limits of the traffic-control module, or none when the runtime runs without (the benchmark's baseline). */
export const limitsOf = (runtime: Runtime): TrafficControl | undefined =>
  runtime.options.trafficControl ? runtime.use(trafficControl) : undefined;

export function gate(
  operation: Operation,
  template: string,
  runtime: Runtime,
  options: GateOptions = {},
): MiddlewareHandler {
  const limits = limitsOf(runtime);
  const verifier = runtime.use(credentials);
  const { trustProxy } = runtime.options;
  const publicOrigin = new URL(runtime.options.publicUrl).origin;
  const portalOrigins = new Set(options.portalOrigins ?? []);
  const challenge = operation.challenge?.(runtime.options) ?? BEARER_CHALLENGE;
  const bucket = operation.bucket;
  return async function gateOperation(c, next) {
    c.set('routeTemplate', template);
    if (operation.authentication === 'signature') return next();
    if (operation.authentication === 'none') {
      await limits?.chargeAddress(clientIp(c, trustProxy), reportRate(c));
      return next();
    }
    if (operation.authentication === 'operator') {
      const operator = await authenticateOperator(c, operation, runtime.find(operatorCredentials), limits, trustProxy);
      c.set('operator', operator);
      return next();
    }
    if (operation.authentication === 'customer') {
      const customer = await authenticateCustomer(c, runtime.use(customerCredentials), limits, {
        trustProxy,
        publicOrigin,
      });
      if (customer.accountStatus) throw accountSuspended(customer.accountStatus);
      c.set('principal', customer);
      if (limits && typeof bucket === 'string') await limits.charge(customer, bucket, reportRate(c));
      // Everything a signed-in customer does is the customer portal.
      requireFeature(customer, operation.feature ?? 'customer_portal');
      return next();
    }
    const { principal, session, byCookie } = await authenticate(c, verifier, limits, challenge, trustProxy);
    if (byCookie) {
      const allows = (origin: string) => portalOrigins.has(origin) || principal?.allowedOrigins.has(origin) === true;
      refuseCrossSite(c, { publicOrigin, allows }, COOKIE_FROM_ELSEWHERE);
    }
    c.set('session', session);
    if (operation.authentication === 'session') {
      if (!session) {
        throw new ApiError(
          'unauthenticated',
          "Sign in first: this route needs a person's session (cookie or bearer token), not an API key",
          { headers: { 'WWW-Authenticate': challenge } },
        );
      }
      if (principal) c.set('principal', principal);
      return next();
    }
    if (!principal) {
      throw new ApiError(
        'forbidden',
        'This session acts in no account you are an active member of: choose one with POST /v1/auth/switch-account',
      );
    }
    // A suspended or closed account: every credential of it stops here, before any work or charge.
    if (principal.accountStatus) throw accountSuspended(principal.accountStatus);
    c.set('principal', principal);
    if (limits) {
      if (typeof bucket === 'string') await limits.charge(principal, bucket, reportRate(c));
      else if (bucket.from === 'query') await limits.charge(principal, bucket.decide(queryOf(c)), reportRate(c));
    }
    if (operation.scope && !hasScope(principal, operation.scope)) {
      throw new ApiError('insufficient_scope', `This request needs the scope '${operation.scope}'`, {
        required_scope: operation.scope,
      });
    }
    requireFeature(principal, operation.feature);
    await next();
  };
}

/** Operations whose bucket depends on their body are charged once it is read. */
export function chargeByBody(operation: Operation, runtime: Runtime): MiddlewareHandler | undefined {
  const limits = limitsOf(runtime);
  const bucket = operation.bucket;
  if (typeof bucket === 'string' || bucket.from !== 'body') return undefined;
  return async function chargeCall(c, next) {
    const decided = bucket.decide(c.get('body'));
    await limits?.charge(c.get('principal'), decided);
    await next();
  };
}

/**
 * An API key (`Bearer fl_...`), an OAuth access token (`Bearer flo_at_...`), a session token
 * (`Bearer ...`) or a session cookie (`byCookie`: a browser may have sent it on another site's
 * behalf); anything else, or nothing, is a 401 (and failures are counted per address).
 */
async function authenticate(
  c: Context,
  verifier: Credentials,
  limits: TrafficControl | undefined,
  challenge: string,
  trustProxy: boolean,
): Promise<{ principal: Principal | null; session?: SessionIdentity; byCookie: boolean }> {
  const header = c.req.header('authorization');
  const bearer = header ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
  const cookie = header ? null : verifier.sessionCookie(c.req.header('cookie'));
  if (bearer || cookie) {
    const identity = await verifier.identify(bearer ? { bearer } : { cookie: cookie! });
    if (identity) return { ...identity, byCookie: !bearer };
  }
  await limits?.countFailedAuthentication(clientIp(c, trustProxy));
  const headers = { 'WWW-Authenticate': challenge };
  if (!header && !cookie)
    throw new ApiError('unauthenticated', 'Send your API key as `Authorization: Bearer fl_...`, or sign in', {
      headers,
    });
  throw new ApiError('unauthenticated', 'The credential is not valid (unknown, revoked or expired)', { headers });
}
