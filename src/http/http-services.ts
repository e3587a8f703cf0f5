// What the HTTP layer needs from modules, by key: who a credential is (auth), which browser
// origins may call (auth), and what to record of each request (analytics). The layer defines
// the seams; the modules above it fill them, so src/http imports no feature folder.
import type { MiddlewareHandler } from 'hono';
import type { OperatorIdentity, SessionIdentity } from '../platform/api/operation.ts';
import type { Principal } from '../platform/operations/principal.ts';
import { serviceKey } from '../platform/api/service-key.ts';

export interface Credentials {
  /**
   * The caller a credential names: an API key or OAuth token (`bearer`), or a person's session
   * (a bearer token or the cookie). Null when it is unknown, revoked or expired. A session yields
   * a principal only while it acts in an account its person is an active member of.
   */
  identify(presented: {
    bearer?: string;
    cookie?: string;
  }): Promise<{ principal: Principal | null; session?: SessionIdentity } | null>;
  /** The session cookie's value in a Cookie header, if there is one. */
  sessionCookie(cookieHeader: string | undefined): string | null;
}

/** End customers' portal sessions: a bearer token or the portal cookie -> the customer's principal. */
export interface CustomerCredentials {
  identify(token: string): Promise<Principal | null>;
  /** The portal cookie's value in a Cookie header, if there is one. */
  cookie(cookieHeader: string | undefined): string | null;
}

/** Platform operators' sessions (`Bearer flop_...`): the operator, or null when the token is not a live one. */
export interface OperatorCredentials {
  identify(token: string): Promise<OperatorIdentity | null>;
}

export interface OriginDirectory {
  /** Whether any account or app allows `origin` (a preflight carries no credential to ask). */
  has(origin: string): Promise<boolean>;
}

export const credentials = serviceKey<Credentials>('credential verification');
export const customerCredentials = serviceKey<CustomerCredentials>("end customers' portal sessions");
export const operatorCredentials = serviceKey<OperatorCredentials>("platform operators' sessions");
export const originDirectory = serviceKey<OriginDirectory>('the directory of allowed browser origins');
/** Runs around every request: metrics and the request log. */
export const requestTelemetry = serviceKey<MiddlewareHandler>('request telemetry');
