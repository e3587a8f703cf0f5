// The Microsoft identity platform (v2.0) and Microsoft Graph (v1.0) on 127.0.0.1, as far as
// Fieldline's Microsoft 365 connector uses them and as Microsoft documents them:
//   identity: `GET /{tenant}/oauth2/v2.0/authorize` (the user signs in and consents at once: a
//     302 back to redirect_uri with `code` and `state`), `POST /{tenant}/oauth2/v2.0/token`
//     (authorization_code with the PKCE verifier checked against the S256 challenge, refresh_token;
//     AADSTS errors as `{error, error_description, error_codes, ...}`). There is no revocation
//     endpoint at Microsoft.
//   Graph: `GET /v1.0/me`, `POST /v1.0/me/revokeSignInSessions`, mail (fake-microsoft-mail.ts:
//     the inbox delta query, messages, attachments, drafts, createReply, send, sendMail) and the
//     calendar (fake-microsoft-calendar.ts: events, calendarView); errors as
//     `{error: {code, message, innerError}}`; an expired access token is a 401.
// `failNext` plays 429 with Retry-After, 5xx, malformed or huge answers on the next matching request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  deliverTo,
  graphError,
  graphMail,
  newMailbox,
  type FakeMailbox,
  type FakeMessage,
  type InboxMessageInput,
} from './fake-microsoft-mail.ts';

import { graphCalendarRoutes, newEvent, type FakeEvent } from './fake-microsoft-calendar.ts';

export type { FakeAddress, FakeAttachmentInput, FakeDraft, FakeMailbox, FakeMessage } from './fake-microsoft-mail.ts';

export interface FakeFailure {
  /** The request path must contain this (e.g. '/messages/delta', '/oauth2/v2.0/token'); any when absent. */
  path?: string;
  /** The request's query string must contain this too (e.g. '$skiptoken'). */
  query?: string;
  status?: number;
  retryAfter?: number;
  /** The raw body to answer instead of the documented error object (malformed or huge answers). */
  raw?: string;
  times?: number;
}

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: any;
}

const token = (bytes = 24) => randomBytes(bytes).toString('base64url');
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** The identity platform's error body (AADSTS code in the description, as Microsoft writes it). */
function aadError(error: string, code: number, description: string) {
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  const traceId = randomUUID();
  const correlationId = randomUUID();
  return {
    error,
    error_description:
      `AADSTS${code}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\n` +
      `Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}

export async function startFakeMicrosoft(options: { clientId?: string; clientSecret?: string } = {}) {
  const clientId = options.clientId ?? randomUUID();
  const clientSecret = options.clientSecret ?? `${token(6)}~${token(24)}`;
  const mailboxes = new Map<string, FakeMailbox>();
  const codes = new Map<string, { userId: string; redirectUri: string; scope: string; challenge?: string }>();
  const accessTokens = new Map<string, { userId: string; expiresAt: number }>();
  const refreshTokens = new Map<string, { userId: string; scope: string }>();
  const failures: FakeFailure[] = [];
  const requests: FakeRequest[] = [];
  let signInAs: string | undefined;
  let accessTokenSeconds = 3599;
  let port = 0;
  const origin = () => `http://127.0.0.1:${port}`;

  function answer(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    const text = body === undefined ? '' : JSON.stringify(body);
    response.writeHead(status, {
      ...(text ? { 'content-type': 'application/json; odata.metadata=minimal; charset=utf-8' } : {}),
      'request-id': randomUUID(),
      ...headers,
    });
    response.end(text);
  }

  function issueTokens(userId: string, scope: string) {
    const access = `eyJ0eXAiOiJKV1QifQ.${token(48)}.${token(32)}`;
    const refresh = `M.C5${token(64)}`;
    accessTokens.set(access, { userId, expiresAt: Date.now() + accessTokenSeconds * 1000 });
    refreshTokens.set(refresh, { userId, scope });
    return {
      token_type: 'Bearer',
      scope,
      expires_in: accessTokenSeconds,
      ext_expires_in: accessTokenSeconds,
      access_token: access,
      refresh_token: refresh,
    };
  }

  function authorize(response: ServerResponse, query: Record<string, string>) {
    const redirectUri = query.redirect_uri;
    if (query.client_id !== clientId || !redirectUri)
      return answer(
        response,
        400,
        aadError('unauthorized_client', 700016, `Application '${query.client_id}' not found.`),
      );
    const back = new URL(redirectUri);
    const fail = (error: string, description: string) => {
      back.searchParams.set('error', error);
      back.searchParams.set('error_description', description);
      if (query.state) back.searchParams.set('state', query.state);
      response.writeHead(302, { location: back.toString() }).end();
    };
    if (query.response_type !== 'code') return fail('unsupported_response_type', 'AADSTS700054: response_type');
    if (query.code_challenge && query.code_challenge_method !== 'S256')
      return fail('invalid_request', 'AADSTS501491: code_challenge_method must be S256');
    if (!signInAs || !mailboxes.has(signInAs)) return fail('access_denied', 'AADSTS65004: User declined to consent.');
    const code = `0.A${token(64)}`;
    codes.set(code, {
      userId: signInAs,
      redirectUri,
      scope: query.scope ?? '',
      challenge: query.code_challenge,
    });
    back.searchParams.set('code', code);
    if (query.state) back.searchParams.set('state', query.state);
    back.searchParams.set('session_state', randomUUID());
    response.writeHead(302, { location: back.toString() }).end();
  }

  function tokenGrant(request: IncomingMessage, response: ServerResponse, form: URLSearchParams) {
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const [basicId, basicSecret] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [];
    const id = form.get('client_id') ?? (basicId ? decodeURIComponent(basicId) : undefined);
    const secret = form.get('client_secret') ?? (basicSecret ? decodeURIComponent(basicSecret) : undefined);
    if (id !== clientId)
      return answer(response, 400, aadError('unauthorized_client', 700016, `Application '${id}' not found.`));
    if (secret !== clientSecret)
      return answer(response, 401, aadError('invalid_client', 7000215, 'Invalid client secret provided.'));
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (!code)
        return answer(response, 400, aadError('invalid_grant', 70008, 'The provided authorization code has expired.'));
      if (code.redirectUri !== form.get('redirect_uri'))
        return answer(response, 400, aadError('invalid_grant', 50148, 'The redirect URI does not match.'));
      const verifier = form.get('code_verifier');
      if (code.challenge && (!verifier || s256(verifier) !== code.challenge))
        return answer(
          response,
          400,
          aadError('invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied.'),
        );
      return answer(response, 200, issueTokens(code.userId, code.scope));
    }
    if (grant === 'refresh_token') {
      const held = refreshTokens.get(form.get('refresh_token') ?? '');
      if (!held)
        return answer(
          response,
          400,
          aadError('invalid_grant', 700082, 'The refresh token has expired due to inactivity.'),
        );
      return answer(response, 200, issueTokens(held.userId, held.scope));
    }
    return answer(
      response,
      400,
      aadError('unsupported_grant_type', 70003, `The grant type '${grant}' is not supported.`),
    );
  }

  const mailRoute = graphMail(origin, answer);
  const calendarRoute = graphCalendarRoutes(origin, answer);
  /** Each user's calendar, by event id. */
  const calendars = new Map<string, Map<string, FakeEvent>>();
  const calendarOf = (userId: string) => calendars.get(userId) ?? calendars.set(userId, new Map()).get(userId)!;

  function graph(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    query: Record<string, string>,
    body: any,
  ) {
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const held = accessTokens.get(bearer);
    if (!held || held.expiresAt <= Date.now())
      return answer(
        response,
        401,
        graphError('InvalidAuthenticationToken', 'Access token has expired or is not yet valid.'),
        { 'www-authenticate': 'Bearer realm=""' },
      );
    const mailbox = mailboxes.get(held.userId)!;
    const method = request.method ?? 'GET';
    const route = path.replace(/^\/v1\.0/, '').replace(/^\/me\/mailfolders\('inbox'\)/i, '/me/mailFolders/inbox');
    if (method === 'GET' && route === '/me')
      return answer(response, 200, {
        '@odata.context': `${origin()}/v1.0/$metadata#users/$entity`,
        id: mailbox.id,
        displayName: mailbox.displayName,
        mail: mailbox.mail,
        userPrincipalName: mailbox.userPrincipalName,
      });
    if (method === 'POST' && route === '/me/revokeSignInSessions') {
      for (const [key, value] of refreshTokens) if (value.userId === mailbox.id) refreshTokens.delete(key);
      return answer(response, 200, { '@odata.context': `${origin()}/v1.0/$metadata#Edm.Boolean`, value: true });
    }
    const prefer = String(request.headers.prefer ?? '');
    if (calendarRoute(response, calendarOf(mailbox.id), method, route, query, prefer, body)) return;
    mailRoute(response, mailbox, method, route, query, prefer, body);
  }

  function handle(request: IncomingMessage, response: ServerResponse, raw: string) {
    const url = new URL(request.url ?? '/', origin());
    const path = decodeURIComponent(url.pathname);
    const query = Object.fromEntries(url.searchParams);
    const json = (request.headers['content-type'] ?? '').includes('json');
    let body: any = raw;
    if (json)
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return answer(response, 400, graphError('BadRequest', 'Unable to read JSON request payload.'));
      }
    requests.push({ method: request.method ?? '', path, query, headers: request.headers, body });
    const failure = failures.find(
      (entry) =>
        (!entry.path || path.includes(entry.path)) &&
        (!entry.query || decodeURIComponent(url.search).includes(entry.query)),
    );
    if (failure) {
      if (--failure.times! <= 0) failures.splice(failures.indexOf(failure), 1);
      const status = failure.status ?? 200;
      const headers: Record<string, string> =
        failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {};
      if (failure.raw !== undefined) {
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        return void response.end(failure.raw);
      }
      const code = status === 429 ? 'TooManyRequests' : status === 503 ? 'ServiceNotAvailable' : 'UnknownError';
      return answer(response, status, graphError(code, `Fake failure ${status}.`), headers);
    }
    const login = /^\/([^/]+)\/oauth2\/v2\.0\/(authorize|token)$/.exec(path);
    if (login?.[2] === 'authorize' && request.method === 'GET') return authorize(response, query);
    if (login?.[2] === 'token' && request.method === 'POST')
      return tokenGrant(request, response, new URLSearchParams(raw));
    if (path.startsWith('/v1.0/')) return graph(request, response, path, query, body);
    answer(response, 404, graphError('BadRequest', `Unsupported path ${path}.`));
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;

  function mailboxOrThrow(userId: string) {
    const mailbox = mailboxes.get(userId);
    if (!mailbox) throw new Error(`the fake holds no user ${userId}`);
    return mailbox;
  }

  return {
    /** Both FIELDLINE_MICROSOFT_LOGIN_URL and FIELDLINE_MICROSOFT_GRAPH_URL. */
    url: origin(),
    /** The integrations' settings Fieldline runs with against this fake. */
    settings: {
      microsoft: { clientId, clientSecret, tenant: 'common', loginUrl: origin(), graphUrl: origin() },
    },
    clientId,
    clientSecret,
    requests,
    mailboxes,
    /** A Microsoft 365 user; the next sign-in at `authorize` is this user. */
    addUser(mail: string, displayName = mail.split('@')[0]): FakeMailbox {
      const mailbox = newMailbox(mail, displayName);
      mailboxes.set(mailbox.id, mailbox);
      signInAs = mailbox.id;
      return mailbox;
    },
    signInAs(userId: string) {
      signInAs = userId;
    },
    /** A message arrives in the user's inbox; `inReplyTo` (a message id) keeps its conversation. */
    deliver: (userId: string, input: InboxMessageInput): FakeMessage => deliverTo(mailboxOrThrow(userId), input),
    /** The user deletes a message: the next delta round reports it `@removed`. */
    remove(userId: string, messageId: string) {
      const mailbox = mailboxOrThrow(userId);
      const stored = mailbox.inbox.find((entry) => entry.message.id === messageId);
      if (stored) Object.assign(stored, { removed: true, changeSeq: ++mailbox.seq });
    },
    /** The user reads a message: a change the next delta round reports (the whole message again). */
    markRead(userId: string, messageId: string) {
      const mailbox = mailboxOrThrow(userId);
      const stored = mailbox.inbox.find((entry) => entry.message.id === messageId);
      if (stored) Object.assign(stored, { changeSeq: ++mailbox.seq, message: { ...stored.message, isRead: true } });
    },
    /** The user's calendar events, by id (what Fieldline made, and what `addEvent` added). */
    events: (userId: string) => calendarOf(userId),
    /** An event the user put in their calendar (busy unless `showAs` says otherwise). */
    addEvent(userId: string, input: { subject: string; start: string; end: string; showAs?: string }): FakeEvent {
      const event = newEvent(input);
      calendarOf(userId).set(event.id, event);
      return event;
    },
    /** Every sync state issued so far answers 410 (Graph dropped them). */
    expireSyncState(userId: string) {
      const mailbox = mailboxOrThrow(userId);
      mailbox.generation += 1;
    },
    /** The user's refresh tokens stop working (password reset, consent revoked): invalid_grant. */
    revokeGrant(userId: string) {
      for (const [key, value] of refreshTokens) if (value.userId === userId) refreshTokens.delete(key);
    },
    /** Access tokens issued so far have expired: Graph answers 401 until the client refreshes. */
    expireAccessTokens() {
      for (const held of accessTokens.values()) held.expiresAt = 0;
    },
    /** Lifetime of access tokens issued from now on. */
    setAccessTokenSeconds(seconds: number) {
      accessTokenSeconds = seconds;
    },
    /** The next `times` (1) requests whose path contains `path` get this answer instead. */
    failNext(failure: FakeFailure) {
      failures.push({ ...failure, times: failure.times ?? 1 });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeMicrosoft = Awaited<ReturnType<typeof startFakeMicrosoft>>;
