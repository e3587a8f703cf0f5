// The end customer's side of the gate: a portal session, as `Authorization: Bearer flc_...` or
// the portal cookie the sign-in set. A state-changing call that carries the cookie must come from
// a page of this server (cross-site.ts); bearer tokens need no such check.
import type { Context } from 'hono';
import { ApiError } from '../platform/errors.ts';
import type { Principal } from '../platform/operations/principal.ts';
import type { TrafficControl } from '../platform/api/traffic-control.ts';
import { clientIp } from './client-ip.ts';
import { refuseCrossSite } from './cross-site.ts';
import type { CustomerCredentials } from './http-services.ts';

const CUSTOMER_CHALLENGE = 'Bearer realm="fieldline-customer"';

export async function authenticateCustomer(
  c: Context,
  verifier: CustomerCredentials,
  limits: TrafficControl | undefined,
  options: { trustProxy: boolean; publicOrigin: string },
): Promise<Principal> {
  const header = c.req.header('authorization');
  const bearer = header ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
  const cookie = header ? null : verifier.cookie(c.req.header('cookie'));
  const token = bearer ?? cookie;
  const principal = token ? await verifier.identify(token) : null;
  if (!principal) {
    await limits?.countFailedAuthentication(clientIp(c, options.trustProxy));
    throw new ApiError(
      'unauthenticated',
      token
        ? 'The customer session is not valid (unknown, signed out or expired): sign in again'
        : 'Sign in with POST /v1/customer/auth/start and /v1/customer/auth/verify first',
      { headers: { 'WWW-Authenticate': CUSTOMER_CHALLENGE } },
    );
  }
  if (cookie)
    refuseCrossSite(
      c,
      { publicOrigin: options.publicOrigin },
      "A customer session's cookie is accepted for changes only from this server's own pages; " +
        'other clients send the session token as a bearer token',
    );
  return principal;
}
