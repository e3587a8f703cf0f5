// The sign-in and consent pages a person sees while an app asks for access (HTML forms, not
// API operations: left out of the document). Forms are posted from our own pages only: another
// site cannot sign a person in (login CSRF) or consent for them (oauth-form-guard.ts says how).
import { z } from 'zod';
import { isAPIError } from 'better-auth/api';
import { systemQuery } from '../db/system-query.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import type { ApiResult, OperationCall } from '../platform/api/operation.ts';
import { ApiError } from '../platform/errors.ts';
import { rateLimiter } from '../limits/limits-services.ts';
import { peopleAuth, sessionVerifier } from './auth-services.ts';
import { OAUTH_CONSENT_PATH, OAUTH_SIGN_IN_PATH } from './oauth-provider.ts';
import { consentPage, signInPage } from './oauth-pages.ts';
import { messagePage } from '../platform/api/html-page.ts';
import { signInWithPassword } from './password-sign-in.ts';
import { sessionCookieIn } from './session-verifier.ts';
import type { Runtime } from '../platform/contract.ts';
import {
  formToken,
  formTokenMatches,
  postedFromElsewhere,
  signInFormBinding,
  signInFormCookieIn,
} from './oauth-form-guard.ts';

/** Parameters Better Auth adds when it signs an authorization request for our pages; not the client's. */
const SIGNING_PARAMETERS = ['sig', 'exp', 'ba_iat', 'ba_pl', 'ba_param'];

const html = (text: string, status = 200, setCookie: string | null = null): ApiResult => {
  const response = new Response(text, { status, headers: { 'Content-Type': 'text/html; charset=UTF-8' } });
  if (setCookie) response.headers.append('Set-Cookie', setCookie);
  return { response };
};
const redirect = (location: string): ApiResult => ({
  response: new Response(null, { status: 303, headers: { Location: location } }),
});

const page = {
  tag: 'OAuth',
  // The OAuth request's own parameters, passed on as they came.
  rawQuery: z.record(z.string(), z.string()),
  scope: null,
  authentication: 'none' as const,
  bucket: 'write' as const,
  undocumented: 'a browser page of the OAuth flow, not an operation of the API',
  responseMediaType: 'text/html',
  response: z.string(),
};

/** A form posted from our own page: not from another site by the browser's word, and with the page's token. */
function fromOwnPage(call: OperationCall<unknown, unknown>, form: 'sign-in' | 'consent', token: string): boolean {
  const { runtime, headers } = call;
  if (postedFromElsewhere(runtime, call.request!)) return false;
  const cookies = headers.get('cookie');
  const binding = form === 'consent' ? sessionCookieIn(cookies ?? undefined) : signInFormCookieIn(cookies);
  return formTokenMatches(runtime, form, binding, token);
}

async function clientOf(runtime: Runtime, clientId: string | null) {
  if (!clientId) return null;
  const [row] = await systemQuery<{ name: string | null; uri: string | null; self_registered: boolean }>(runtime.db, {
    sql: `SELECT name, uri, metadata->>'registration' = 'dynamic' AS self_registered
            FROM oauth_clients WHERE client_id = $1 AND disabled IS NOT TRUE`,
    parameters: [clientId],
  });
  return row ? { name: row.name ?? clientId, uri: row.uri, selfRegistered: row.self_registered === true } : null;
}

const unknownApp = (what: string) =>
  html(messagePage('Unknown app', `This ${what} link does not belong to a registered app.`), 400);
const SignInForm = z.object({
  email: z.string().default(''),
  password: z.string().default(''),
  oauth_query: z.string().default(''),
  form_token: z.string().default(''),
});
const ConsentForm = z.object({
  accept: z.string().default(''),
  oauth_query: z.string().default(''),
  form_token: z.string().default(''),
});

export const oauthPageOperations = [
  defineOperation({
    ...page,
    method: 'get',
    path: OAUTH_SIGN_IN_PATH,
    operationId: 'oauthSignInPage',
    summary: 'The OAuth sign-in page',
    async handle({ runtime, request, headers }) {
      const query = new URL(request!.url).searchParams;
      const client = await clientOf(runtime, query.get('client_id'));
      if (!client) return unknownApp('sign-in');
      const { binding, setCookie } = signInFormBinding(runtime, headers.get('cookie'));
      const token = formToken(runtime, 'sign-in', binding);
      return html(
        signInPage({ oauthQuery: query.toString(), clientName: client.name, formToken: token }),
        200,
        setCookie,
      );
    },
  }),
  defineOperation({
    ...page,
    method: 'post',
    path: OAUTH_SIGN_IN_PATH,
    operationId: 'oauthSignIn',
    summary: 'Sign in on the OAuth sign-in page',
    form: SignInForm,
    async handle(call) {
      const { runtime, body, headers, clientIp } = call;
      if (!fromOwnPage(call, 'sign-in', body.form_token))
        return html(messagePage('Not allowed', 'Sign in on this page only.'), 403);
      const params = new URLSearchParams(body.oauth_query);
      const client = await clientOf(runtime, params.get('client_id'));
      if (!client) return unknownApp('sign-in');
      const email = body.email.trim().toLowerCase();
      const answer = await signIn(runtime, { email, password: body.password }, headers, clientIp);
      if ('status' in answer) {
        const form = signInPage({
          oauthQuery: body.oauth_query,
          clientName: client.name,
          formToken: body.form_token,
          email,
          error: answer.message,
        });
        return html(form, answer.status);
      }
      // Back to authorize with the app's own request: it checks everything again, now with a session.
      for (const name of [...SIGNING_PARAMETERS, 'prompt']) params.delete(name);
      const response = new Response(null, {
        status: 303,
        headers: { Location: `/v1/auth/oauth2/authorize?${params}` },
      });
      for (const cookie of answer.cookies) response.headers.append('Set-Cookie', cookie);
      return { response };
    },
  }),
  defineOperation({
    ...page,
    method: 'get',
    path: OAUTH_CONSENT_PATH,
    operationId: 'oauthConsentPage',
    summary: 'The OAuth consent page',
    async handle({ runtime, request, headers }) {
      const query = new URL(request!.url).searchParams;
      const token = sessionCookieIn(headers.get('cookie') ?? undefined);
      const session = token ? await runtime.use(sessionVerifier).identify(token) : null;
      if (!token || !session) return redirect(`${OAUTH_SIGN_IN_PATH}?${query}`);
      const client = await clientOf(runtime, query.get('client_id'));
      if (!client) return unknownApp('consent');
      if (!session.principal) {
        const why =
          'You are signed in, but not acting in an account you are an active member of. ' +
          'Switch account, then start again from the app.';
        return html(messagePage('No account', why), 403);
      }
      const [account] = await systemQuery(runtime.db, {
        sql: 'SELECT name FROM accounts WHERE id = $1',
        parameters: [session.principal.accountId],
      });
      if (!account) return html(messagePage('No account', 'The account this session acts in no longer exists.'), 403);
      return html(
        consentPage({
          oauthQuery: query.toString(),
          formToken: formToken(runtime, 'consent', token),
          clientName: client.name,
          clientUri: client.uri,
          selfRegistered: client.selfRegistered,
          redirectUri: query.get('redirect_uri') ?? '',
          accountName: account.name,
          personEmail: session.person.email,
          scopes: (query.get('scope') ?? '').split(' ').filter(Boolean),
        }),
      );
    },
  }),
  defineOperation({
    ...page,
    method: 'post',
    path: OAUTH_CONSENT_PATH,
    operationId: 'oauthConsent',
    summary: 'Allow or deny an app on the OAuth consent page',
    form: ConsentForm,
    async handle(call) {
      const { runtime, body, headers } = call;
      // The session cookie is SameSite=Lax, so another site cannot post here as the person; the token says so twice.
      if (!fromOwnPage(call, 'consent', body.form_token))
        return html(messagePage('Not allowed', 'Consent is given on this page only.'), 403);
      const publicUrl = runtime.options.publicUrl;
      // Better Auth's consent route finishes the authorization request, which needs a request of its own.
      const consent = await runtime.use(peopleAuth).handler(
        new Request(`${publicUrl}/v1/auth/oauth2/consent`, {
          method: 'POST',
          headers: {
            cookie: headers.get('cookie') ?? '',
            origin: new URL(publicUrl).origin,
            accept: 'application/json',
            'content-type': 'application/json',
          },
          body: JSON.stringify({ accept: body.accept === 'true', oauth_query: body.oauth_query }),
        }),
      );
      const answer = consent.ok ? ((await consent.json()) as { url?: string; redirect_uri?: string }) : null;
      const url = answer?.url ?? answer?.redirect_uri;
      if (!url)
        return html(
          messagePage('Link expired', 'This consent link is no longer valid. Start again from the app.'),
          400,
        );
      return redirect(url);
    },
  }),
];

/** Signs a person in for the page: their session's cookies, or what to tell them. */
async function signIn(
  runtime: Runtime,
  credentials: { email: string; password: string },
  headers: Headers,
  ip: string | null,
) {
  try {
    const result = await signInWithPassword(runtime.use(peopleAuth), runtime.use(rateLimiter), credentials, headers, {
      db: runtime.db,
      ipAddress: ip,
      via: 'oauth',
    });
    return { cookies: result.headers.getSetCookie() };
  } catch (error) {
    // A wrong password or a locked email is the person's to fix; anything else is ours (500, logged).
    const rateLimited = error instanceof ApiError && error.code === 'rate_limited';
    if (!rateLimited && !(isAPIError(error) && error.statusCode < 500)) throw error;
    return rateLimited
      ? { status: 429 as const, message: 'Too many failed sign-ins for this email. Try again later.' }
      : { status: 401 as const, message: 'Wrong email or password.' };
  }
}
