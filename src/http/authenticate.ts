// Bearer authentication: the credential fixes the account; no request parameter can change it.
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../platform/errors.ts';
import type { ApiKeyVerifier } from '../auth/api-keys.ts';
import { hasScope } from '../platform/operations/principal.ts';
import './context-variables.ts';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="fieldline"' };

/** 401 without a valid credential, 403 without `scope`; one middleware so a request pays one hop. */
export function authorize(verifier: ApiKeyVerifier, scope: string): MiddlewareHandler {
  return async function authorizeMiddleware(c, next) {
    const header = c.req.header('authorization');
    if (!header) throw new ApiError('unauthenticated', 'Send your API key as `Authorization: Bearer fl_...`', { headers: CHALLENGE });
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = match ? await verifier.verify(match[1]) : null;
    if (!principal) throw new ApiError('unauthenticated', 'The credential is not valid (unknown, revoked or expired)', { headers: CHALLENGE });
    if (!hasScope(principal, scope)) {
      throw new ApiError('insufficient_scope', `This request needs the scope '${scope}'`, { required_scope: scope });
    }
    c.set('principal', principal);
    await next();
  };
}
