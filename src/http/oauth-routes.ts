// The OAuth 2.0 server on the wire. The protocol endpoints (authorize, token, introspect,
// revoke) are Better Auth's own handler, mounted path by path: their request and response
// formats are the RFCs', not our JSON conventions. Around them, ours: RFC 8414 metadata at the
// root, the sign-in and consent pages, per-IP limits, and this node forgetting a revoked token
// at once (other nodes hear the token table's trigger).
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isAPIError } from 'better-auth/api';
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import type { PeopleAuth } from '../auth/people-auth.ts';
import { OAUTH_CONSENT_PATH, OAUTH_REFRESH_TOKEN_PREFIX, OAUTH_SIGN_IN_PATH } from '../auth/oauth-provider.ts';
import { storedTokenHash, type OAuthTokenVerifier } from '../auth/oauth-tokens.ts';
import { signInWithPassword } from '../auth/password-sign-in.ts';
import { sessionCookieIn, type SessionVerifier } from '../auth/session-verifier.ts';
import { consentPage, describeScope, messagePage, signInPage } from '../auth/oauth-pages.ts';
import { ApiError } from '../platform/errors.ts';
import { limitPublicCalls, type GateServices } from './route-gate.ts';
import { clientIp } from './client-ip.ts';
import { acceptResourceIndicators } from './resource-indicators.ts';

export const OAUTH_METADATA_PATH = '/.well-known/oauth-authorization-server';
const PROTOCOL_PATHS = [
  '/v1/auth/oauth2/authorize',
  '/v1/auth/oauth2/token',
  '/v1/auth/oauth2/introspect',
  '/v1/auth/oauth2/revoke',
];
/** Parameters Better Auth adds when it signs an authorization request for our pages; not the client's. */
const SIGNING_PARAMETERS = ['sig', 'exp', 'ba_iat', 'ba_pl', 'ba_param'];

export interface OAuthRouteServices extends Pick<
  GateServices,
  'rateLimiter' | 'metrics' | 'trustProxy' | 'enforceLimits'
> {
  db: Database;
  auth: PeopleAuth;
  sessions: SessionVerifier;
  oauthTokens: OAuthTokenVerifier;
  publicUrl: string;
  maxBodyBytes: number;
  /** RFC 8707 resources a client may name (the MCP server). */
  resources: readonly string[];
}

export function mountOAuthRoutes(app: Hono, services: OAuthRouteServices): void {
  const { auth, db } = services;
  const ownOrigins = (c: Context) => [new URL(services.publicUrl).origin, new URL(c.req.url).origin];
  /** Forms are posted from our own pages only: another site cannot sign a person in (login CSRF) or consent for them. */
  const fromOwnPage = (c: Context) => {
    const origin = c.req.header('origin');
    return origin !== undefined && ownOrigins(c).includes(origin);
  };
  const formOf = (c: Context) => c.req.formData().catch(() => null);
  const tooLarge = bodyLimit({ maxSize: services.maxBodyBytes, onError: (c) => c.text('Request body too large', 413) });
  for (const path of [...PROTOCOL_PATHS, OAUTH_SIGN_IN_PATH, OAUTH_CONSENT_PATH]) app.use(path, tooLarge);
  const limited = async (c: Context) => {
    if (services.enforceLimits) await limitPublicCalls(c, services);
  };

  // RFC 8414: at the root, and at the root plus the issuer's path (/v1/auth), where clients look first.
  const metadata = async (c: Context) =>
    c.json(await auth.api.getOAuthServerConfig(), 200, { 'Cache-Control': 'public, max-age=300' });
  app.get(OAUTH_METADATA_PATH, metadata);
  app.get(`${OAUTH_METADATA_PATH}/v1/auth`, metadata);

  for (const path of PROTOCOL_PATHS) {
    app.on(['GET', 'POST'], path, async (c) => {
      c.set('routeTemplate', path);
      await limited(c);
      if (path.endsWith('/authorize') || path.endsWith('/token')) {
        const checked = await acceptResourceIndicators(c.req.raw, services.resources);
        if ('invalidTarget' in checked)
          return c.json({ error: 'invalid_target', error_description: checked.invalidTarget }, 400);
        return auth.handler(path.endsWith('/authorize') ? asNavigation(checked.request) : checked.request);
      }
      if (!path.endsWith('/revoke')) return auth.handler(c.req.raw);
      const form = await c.req.raw
        .clone()
        .formData()
        .catch(() => null);
      const response = await auth.handler(c.req.raw);
      const token = form?.get('token');
      if (response.ok && typeof token === 'string') await forgetRevoked(token);
      return response;
    });
  }

  /** This node stops honouring a token revoked here before the response leaves (other nodes: the trigger's NOTIFY). */
  async function forgetRevoked(token: string): Promise<void> {
    const hash = storedTokenHash(token);
    services.oauthTokens.forget('token', hash);
    if (token.startsWith(OAUTH_REFRESH_TOKEN_PREFIX)) {
      const [refresh] = await systemQuery(db, {
        sql: 'SELECT id FROM oauth_refresh_tokens WHERE token = $1',
        parameters: [hash],
      });
      if (refresh) services.oauthTokens.forget('refresh', refresh.id);
    }
  }

  const clientOf = async (clientId: string | null) => {
    if (!clientId) return null;
    const [row] = await systemQuery(db, {
      sql: 'SELECT name, uri FROM oauth_clients WHERE client_id = $1 AND disabled IS NOT TRUE',
      parameters: [clientId],
    });
    return row ? { name: (row.name as string | null) ?? clientId, uri: row.uri as string | null } : null;
  };

  app.get(OAUTH_SIGN_IN_PATH, async (c) => {
    const query = new URL(c.req.url).searchParams;
    const client = await clientOf(query.get('client_id'));
    if (!client)
      return c.html(messagePage('Unknown app', 'This sign-in link does not belong to a registered app.'), 400);
    return c.html(signInPage({ oauthQuery: query.toString(), clientName: client.name }));
  });

  app.post(OAUTH_SIGN_IN_PATH, async (c) => {
    await limited(c);
    if (!fromOwnPage(c)) return c.html(messagePage('Not allowed', 'Sign in on this page only.'), 403);
    const form = await formOf(c);
    if (!form) return c.html(messagePage('Bad request', 'Expected a form.'), 400);
    const oauthQuery = String(form.get('oauth_query') ?? '');
    const email = String(form.get('email') ?? '')
      .trim()
      .toLowerCase();
    const params = new URLSearchParams(oauthQuery);
    const client = await clientOf(params.get('client_id'));
    if (!client)
      return c.html(messagePage('Unknown app', 'This sign-in link does not belong to a registered app.'), 400);
    try {
      const result = await signInWithPassword(
        auth,
        services.rateLimiter,
        { email, password: String(form.get('password') ?? '') },
        c.req.raw.headers,
        { db, ipAddress: clientIp(c, services.trustProxy), via: 'oauth' },
      );
      for (const cookie of result.headers.getSetCookie()) c.header('Set-Cookie', cookie, { append: true });
    } catch (error) {
      // A wrong password or a locked email is the person's to fix; anything else is ours (500, logged).
      const rateLimited = error instanceof ApiError && error.code === 'rate_limited';
      if (!rateLimited && !(isAPIError(error) && error.statusCode < 500)) throw error;
      const status = rateLimited ? 429 : 401;
      const message =
        status === 429 ? 'Too many failed sign-ins for this email. Try again later.' : 'Wrong email or password.';
      return c.html(signInPage({ oauthQuery, clientName: client.name, email, error: message }), status);
    }
    // Back to authorize with the app's own request: it checks everything again, now with a session.
    for (const name of [...SIGNING_PARAMETERS, 'prompt']) params.delete(name);
    return c.redirect(`/v1/auth/oauth2/authorize?${params}`, 303);
  });

  app.get(OAUTH_CONSENT_PATH, async (c) => {
    const query = new URL(c.req.url).searchParams;
    const session = await currentSession(c);
    if (!session) return c.redirect(`${OAUTH_SIGN_IN_PATH}?${query}`, 303);
    const client = await clientOf(query.get('client_id'));
    if (!client)
      return c.html(messagePage('Unknown app', 'This consent link does not belong to a registered app.'), 400);
    if (!session.principal) {
      return c.html(
        messagePage(
          'No account',
          'You are signed in, but not acting in an account you are an active member of. Switch account, then start again from the app.',
        ),
        403,
      );
    }
    const [account] = await systemQuery(db, {
      sql: 'SELECT name FROM accounts WHERE id = $1',
      parameters: [session.principal.accountId],
    });
    if (!account) return c.html(messagePage('No account', 'The account this session acts in no longer exists.'), 403);
    return c.html(
      consentPage({
        oauthQuery: query.toString(),
        clientName: client.name,
        clientUri: client.uri,
        accountName: account.name,
        personEmail: session.person.email,
        scopes: (query.get('scope') ?? '').split(' ').filter(Boolean),
      }),
    );
  });

  app.post(OAUTH_CONSENT_PATH, async (c) => {
    // The session cookie is SameSite=Lax, so another site cannot post here as the person; the Origin check says so twice.
    await limited(c);
    if (!fromOwnPage(c)) return c.html(messagePage('Not allowed', 'Consent is given on this page only.'), 403);
    const form = await formOf(c);
    if (!form) return c.html(messagePage('Bad request', 'Expected a form.'), 400);
    const cookie = c.req.header('cookie') ?? '';
    // Better Auth's consent route finishes the authorization request, which needs a request of its own.
    const consent = await auth.handler(
      new Request(`${services.publicUrl}/v1/auth/oauth2/consent`, {
        method: 'POST',
        headers: {
          cookie,
          origin: new URL(services.publicUrl).origin,
          accept: 'application/json',
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          accept: form.get('accept') === 'true',
          oauth_query: String(form.get('oauth_query') ?? ''),
        }),
      }),
    );
    const answer = consent.ok ? ((await consent.json()) as { url?: string; redirect_uri?: string }) : null;
    const url = answer?.url ?? answer?.redirect_uri;
    if (!url)
      return c.html(
        messagePage('Link expired', 'This consent link is no longer valid. Start again from the app.'),
        400,
      );
    return c.redirect(url, 303);
  });

  async function currentSession(c: Context) {
    const token = sessionCookieIn(c.req.header('cookie'));
    return token ? services.sessions.identify(token) : null;
  }
}

/**
 * Authorize is a browser navigation (RFC 6749 §4.1.1): answer it with a redirect. Better Auth
 * answers JSON when it thinks it is called by fetch (Sec-Fetch-Mode), which Node's fetch sends
 * too; a single-page app that wants JSON asks for it with `Accept: application/json`.
 */
function asNavigation(request: Request): Request {
  const headers = new Headers(request.headers);
  for (const name of ['sec-fetch-mode', 'sec-fetch-dest', 'sec-fetch-site']) headers.delete(name);
  return new Request(request.url, {
    method: request.method,
    headers,
    body: request.body,
    duplex: 'half',
  } as RequestInit);
}

/**
 * The OpenAPI document learns the OAuth 2.0 flows: an `oauth2` security scheme with every scope,
 * and each scoped operation accepting a token with its scope as well as a bearer credential.
 */
export function documentOAuth(
  openapi: { components: Record<string, any>; paths: Record<string, Record<string, any>> },
  scopes: readonly string[],
): void {
  const scopeWords = Object.fromEntries(scopes.map((scope) => [scope, describeScope(scope)]));
  openapi.components.securitySchemes.oauth2 = {
    type: 'oauth2',
    description: `Third-party apps: register at /v1/oauth/clients; server metadata at ${OAUTH_METADATA_PATH}. Access tokens start with \`flo_at_\`.`,
    flows: {
      authorizationCode: {
        authorizationUrl: '/v1/auth/oauth2/authorize',
        tokenUrl: '/v1/auth/oauth2/token',
        refreshUrl: '/v1/auth/oauth2/token',
        scopes: scopeWords,
      },
      clientCredentials: { tokenUrl: '/v1/auth/oauth2/token', scopes: scopeWords },
    },
  };
  for (const operations of Object.values(openapi.paths)) {
    for (const operation of Object.values(operations)) {
      const scope = operation?.['x-fieldline-scope'];
      if (typeof scope === 'string') operation.security = [{ bearerAuth: [] }, { oauth2: [scope] }];
    }
  }
}
