// The platform operators' side of the gate: `Authorization: Bearer flop_...`, a session an
// operator opened with POST /v1/platform/sign-in. Operator routes do not exist for anyone else:
// no credential, an API key, a member's session, an OAuth token or a customer's session all get
// the very 404 an unknown path gets, so the platform's surface cannot be discovered from outside.
import type { Context } from 'hono';
import { ApiError } from '../platform/errors.ts';
import { hasOperatorScope, type Operation, type OperatorIdentity } from '../platform/api/operation.ts';
import type { TrafficControl } from '../platform/api/traffic-control.ts';
import { clientIp } from './client-ip.ts';
import type { OperatorCredentials } from './http-services.ts';

export const OPERATOR_TOKEN_PREFIX = 'flop_';

/** Word for word the answer of a path no route has (problem.ts's notFoundHandler). */
const noRoute = (c: Context) => new ApiError('not_found', `No route for ${c.req.method} ${c.req.path}`);

export async function authenticateOperator(
  c: Context,
  operation: Operation,
  verifier: OperatorCredentials | undefined,
  limits: TrafficControl | undefined,
  trustProxy: boolean,
): Promise<OperatorIdentity> {
  const header = c.req.header('authorization');
  const bearer = header ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
  if (!bearer?.startsWith(OPERATOR_TOKEN_PREFIX) || !verifier) throw noRoute(c);
  const operator = await verifier.identify(bearer);
  if (!operator) {
    // Guessing operator tokens is limited per address like any other credential.
    await limits?.countFailedAuthentication(clientIp(c, trustProxy));
    throw noRoute(c);
  }
  if (operation.scope && !hasOperatorScope(operator, operation.scope)) {
    throw new ApiError('insufficient_scope', `This request needs the scope '${operation.scope}'`, {
      required_scope: operation.scope,
    });
  }
  return operator;
}
