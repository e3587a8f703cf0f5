// Token revocation (RFC 7009). A live token goes to Better Auth, which revokes it (a refresh token
// with its family), told truthfully what kind of token it is: the hint is only a hint (§2.1). A
// token that is unknown, expired or already revoked has nothing left to revoke, and §2.2 answers
// 200 for it all the same (Better Auth answers 400), once the client has proved who it is:
// revoking stays a client-authenticated call. Every node then stops honouring the token at once.
import { systemQuery } from '../db/system-query.ts';
import type { ApiResult, OperationCall } from '../platform/api/operation.ts';
import { oauthTokenVerifier, peopleAuth } from './auth-services.ts';
import { asOAuthAnswer } from './oauth-answers.ts';
import { authenticates, inRegisteredMethod, presentedClient, registeredClient } from './oauth-client-credentials.ts';
import { storedTokenHash } from './oauth-tokens.ts';
import type { Runtime } from '../platform/contract.ts';

const oauthError = (status: number, error: string, description: string, headers: HeadersInit = {}) =>
  Response.json({ error, error_description: description }, { status, headers });

/** What a token is while it can still be used: an access or refresh token, with its stored hash and id. */
async function liveToken(runtime: Runtime, token: string) {
  const hash = storedTokenHash(token);
  const [row] = await systemQuery<{ kind: 'access_token' | 'refresh_token'; id: string }>(runtime.db, {
    sql: `SELECT 'access_token' AS kind, id FROM oauth_access_tokens
           WHERE token = $1 AND revoked IS NULL AND expires_at > now()
          UNION ALL
          SELECT 'refresh_token' AS kind, id FROM oauth_refresh_tokens
           WHERE token = $1 AND revoked IS NULL AND expires_at > now()
          LIMIT 1`,
    parameters: [hash],
  });
  return row ? { ...row, hash } : null;
}

/** The same request with its form changed: Better Auth reads the body itself. */
function withForm(request: Request, form: URLSearchParams): Request {
  const headers = new Headers(request.headers);
  headers.delete('content-length');
  return new Request(request.url, { method: 'POST', headers, body: form.toString() });
}

export async function revokeToken(call: OperationCall<unknown, unknown>): Promise<ApiResult> {
  const { runtime } = call;
  const request = await inRegisteredMethod(runtime, call.request!);
  const form = new URLSearchParams(await request.clone().text());
  const token = form.get('token');
  // No token at all is a malformed request: Better Auth says so (invalid_request).
  if (!token) return { response: await asOAuthAnswer(await runtime.use(peopleAuth).handler(request)) };
  const live = await liveToken(runtime, token);
  if (!live) {
    const presented = presentedClient(request, form);
    if (!presented) return { response: oauthError(401, 'invalid_client', 'missing client credentials') };
    if (!authenticates(runtime, presented, await registeredClient(runtime, presented.clientId))) {
      const challenge: HeadersInit = presented.method === 'client_secret_basic' ? { 'WWW-Authenticate': 'Basic' } : {};
      return { response: oauthError(401, 'invalid_client', 'client authentication failed', challenge) };
    }
    return { response: new Response(null, { status: 200 }) };
  }
  form.set('token_type_hint', live.kind);
  const response = await runtime.use(peopleAuth).handler(withForm(request, form));
  if (response.ok) {
    // This node stops honouring it before the response leaves (other nodes: the trigger's NOTIFY).
    const tokens = runtime.find(oauthTokenVerifier);
    tokens?.forget('token', live.hash);
    if (live.kind === 'refresh_token') tokens?.forget('refresh', live.id);
  }
  return { response: await asOAuthAnswer(response) };
}
