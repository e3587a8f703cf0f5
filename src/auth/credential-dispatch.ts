// Which verifier a presented credential goes to: API keys (`fl_...`), OAuth access tokens
// (`flo_at_...`), and anything else as a person's session (a bearer token or the cookie).
import type { Credentials } from '../http/http-services.ts';
import type { ApiKeyVerifier } from './api-keys.ts';
import { OAUTH_ACCESS_TOKEN_PREFIX } from './oauth-provider.ts';
import type { OAuthTokenVerifier } from './oauth-tokens.ts';
import { sessionCookieIn, type SessionVerifier } from './session-verifier.ts';

export function credentialDispatch(
  keys: ApiKeyVerifier,
  tokens: OAuthTokenVerifier,
  sessions: SessionVerifier,
): Credentials {
  return {
    sessionCookie: sessionCookieIn,
    async identify({ bearer, cookie }) {
      if (bearer?.startsWith('fl_')) {
        const principal = await keys.verify(bearer);
        return principal ? { principal } : null;
      }
      if (bearer?.startsWith(OAUTH_ACCESS_TOKEN_PREFIX)) {
        const principal = await tokens.verify(bearer);
        return principal ? { principal } : null;
      }
      const token = bearer ?? cookie;
      const session = token ? await sessions.identify(token) : null;
      return session ? { principal: session.principal, session } : null;
    },
  };
}
