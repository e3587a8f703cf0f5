// The OAuth 2.0 server on the wire: authorize, token, introspect and revoke are Better Auth's
// own handler, given the request as it came: their formats are the RFCs', not our JSON
// conventions, so they are documented here and left out of the SDKs (use an OAuth client
// library). Around them, ours: RFC 8707 resource indicators, authorize as a navigation, and
// this node forgetting a revoked token at once (other nodes hear the token table's trigger).
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import type { OperationCall } from '../platform/api/operation.ts';
import { peopleAuth } from './auth-services.ts';
import { asOAuthAnswer } from './oauth-answers.ts';
import { inRegisteredMethod } from './oauth-client-credentials.ts';
import { revokeToken } from './oauth-revocation.ts';
import { acceptResourceIndicators } from './resource-indicators.ts';

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    /** RFC 8707 resources a token may be asked for: the URLs of protected resources (the MCP server). */
    oauthResources?: readonly string[];
  }
}

const NOT_IN_SDKS = { excluded: 'an OAuth 2.0 protocol endpoint: use an OAuth client library' };
const FORM = 'application/x-www-form-urlencoded';
const OAuthError = z.object({ error: z.string(), error_description: z.string().optional() });
const TokenRequest = z.object({
  grant_type: z.enum(['authorization_code', 'refresh_token', 'client_credentials']),
  code: z.string().optional(),
  redirect_uri: z.string().optional(),
  code_verifier: z.string().optional().describe('PKCE (S256): required for public clients.'),
  refresh_token: z.string().optional(),
  scope: z.string().optional(),
  resource: z.string().optional().describe('RFC 8707: the protected resource the token is for (the MCP server).'),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
});
const AuthorizeRequest = z.object({
  response_type: z.literal('code'),
  client_id: z.string(),
  redirect_uri: z.string(),
  scope: z.string().describe('Space-separated scopes; `offline_access` for a refresh token.'),
  state: z.string().optional(),
  code_challenge: z.string().optional(),
  code_challenge_method: z.literal('S256').optional(),
  resource: z.string().optional(),
});
const TokenQuery = z.object({
  token: z.string(),
  token_type_hint: z.enum(['access_token', 'refresh_token']).optional(),
});

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

/** Authorize and token: resource indicators checked, then Better Auth. */
async function withResources(call: OperationCall<unknown, unknown>, navigation: boolean) {
  const { runtime } = call;
  const checked = await acceptResourceIndicators(call.request!, runtime.options.oauthResources ?? []);
  if ('invalidTarget' in checked) {
    return {
      response: Response.json({ error: 'invalid_target', error_description: checked.invalidTarget }, { status: 400 }),
    };
  }
  const request = navigation ? asNavigation(checked.request) : await inRegisteredMethod(runtime, checked.request);
  return { response: await asOAuthAnswer(await runtime.use(peopleAuth).handler(request)) };
}

const protocol = {
  tag: 'OAuth',
  scope: null,
  authentication: 'none' as const,
  bucket: 'write' as const,
  sdk: NOT_IN_SDKS,
  responseMediaType: 'application/json',
};

const authorize = (method: 'get' | 'post') =>
  defineOperation({
    ...protocol,
    method,
    path: '/v1/auth/oauth2/authorize',
    operationId: method === 'get' ? 'authorize' : 'authorizeByForm',
    summary: 'Start an authorization (code + PKCE)',
    description:
      'RFC 6749 §4.1 with PKCE (S256, required for public clients): redirects to the sign-in page, the consent page, ' +
      'or back to the `redirect_uri` with a `code` (or an `error`).',
    ...(method === 'get' ? { rawQuery: AuthorizeRequest } : { text: { schema: AuthorizeRequest, mediaType: FORM } }),
    successStatus: 302,
    responseMediaType: 'text/html',
    response: z.string().describe('A redirect (Location); a page when the request cannot be redirected.'),
    handle: (call) => withResources(call, true),
  });

export const oauthOperations = [
  authorize('get'),
  authorize('post'),
  defineOperation({
    ...protocol,
    method: 'post',
    path: '/v1/auth/oauth2/token',
    operationId: 'issueToken',
    summary: 'Exchange a code or refresh token, or use client credentials',
    description:
      'RFC 6749 §4.1.3, §4.4 and §6. Confidential clients authenticate with `client_secret_basic` or ' +
      '`client_secret_post`, either one whatever they registered; public clients send `client_id` alone and PKCE. ' +
      'A refresh token is rotated on each use; reusing an old one ends its whole family.',
    text: { schema: TokenRequest, mediaType: FORM },
    response: z.union([
      z.object({
        access_token: z.string().describe('`flo_at_...`, sent as `Authorization: Bearer`.'),
        token_type: z.literal('Bearer'),
        expires_in: z.int(),
        refresh_token: z.string().optional(),
        scope: z.string(),
      }),
      OAuthError,
    ]),
    handle: (call) => withResources(call, false),
  }),
  defineOperation({
    ...protocol,
    method: 'post',
    path: '/v1/auth/oauth2/introspect',
    operationId: 'introspectToken',
    summary: 'Introspect a token (RFC 7662)',
    description: 'For the client the token was issued to: whether it is active, and its scopes, client and expiry.',
    text: { schema: TokenQuery, mediaType: FORM },
    response: z.object({ active: z.boolean() }).catchall(z.unknown()),
    handle: async ({ runtime, request }) => ({
      response: await asOAuthAnswer(await runtime.use(peopleAuth).handler(await inRegisteredMethod(runtime, request!))),
    }),
  }),
  defineOperation({
    ...protocol,
    method: 'post',
    path: '/v1/auth/oauth2/revoke',
    operationId: 'revokeToken',
    summary: 'Revoke a token (RFC 7009)',
    description:
      'Ends an access token, or a refresh token and every token of its family, on every node at once. ' +
      'A token that is unknown, expired or already revoked answers 200 too (RFC 7009 §2.2); the client authenticates.',
    text: { schema: TokenQuery, mediaType: FORM },
    response: z.object({}),
    handle: revokeToken,
  }),
];
