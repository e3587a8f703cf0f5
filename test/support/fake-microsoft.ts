// The Microsoft identity platform (v2.0) and Microsoft Graph (v1.0) on 127.0.0.1, as far as
// Fieldline's Microsoft 365 connector uses them and as Microsoft documents them:
//   identity: `GET /{tenant}/oauth2/v2.0/authorize` (the user signs in and consents at once: a
//     302 back to redirect_uri with `code` and `state`), `POST /{tenant}/oauth2/v2.0/token`
//     (authorization_code with the PKCE verifier checked against the S256 challenge, refresh_token;
//     AADSTS errors as `{error, error_description, error_codes, ...}`). There is no revocation
//     endpoint at Microsoft.
//   Graph: `GET /v1.0/me`, `GET /v1.0/me/mailFolders/inbox/messages/delta` (`$select`,
//     `Prefer: odata.maxpagesize`, `@odata.nextLink` pages ending with an `@odata.deltaLink`,
//     `@removed` entries, 410 for a sync state that expired), `GET /v1.0/me/messages/{id}`,
//     `GET /v1.0/me/messages?$filter=internetMessageId eq '...'` (or conversationId),
//     `GET /v1.0/me/messages/{id}/attachments[/{id}]` (fileAttachment with contentBytes; `$select`),
//     `POST /v1.0/me/sendMail` (202), `POST /v1.0/me/messages` and `.../{id}/createReply` (a draft,
//     201; a reply keeps the conversationId), `POST .../{id}/send` (202),
//     `POST /v1.0/me/revokeSignInSessions`; errors as `{error: {code, message, innerError}}`.
// `failNext` plays 429 with Retry-After, 5xx, malformed or huge answers on the next matching request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export interface FakeAddress {
  name?: string;
  address: string;
}

export interface FakeAttachmentInput {
  name: string;
  contentType: string;
  content: Buffer;
}

/** One message in a mailbox, with the properties Graph's message resource documents. */
export interface FakeMessage {
  id: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  receivedDateTime: string;
  sentDateTime: string;
  hasAttachments: boolean;
  internetMessageId: string;
  subject: string;
  bodyPreview: string;
  importance: 'normal';
  parentFolderId: string;
  conversationId: string;
  isRead: boolean;
  isDraft: boolean;
  body: { contentType: 'text' | 'html'; content: string };
  sender: { emailAddress: FakeAddress };
  from: { emailAddress: FakeAddress };
  toRecipients: { emailAddress: FakeAddress }[];
  ccRecipients: { emailAddress: FakeAddress }[];
  bccRecipients: { emailAddress: FakeAddress }[];
  replyTo: { emailAddress: FakeAddress }[];
}

interface StoredMessage {
  message: FakeMessage;
  attachments: FakeAttachmentInput[];
  changeSeq: number;
  removed: boolean;
}

export interface FakeDraft {
  conversationId: string;
  /** The message replied to (createReply). */
  replyTo?: string;
  /** The message as Graph holds it: subject, body, toRecipients ... */
  message: any;
}

export interface FakeMailbox {
  id: string;
  displayName: string;
  mail: string;
  userPrincipalName: string;
  inbox: StoredMessage[];
  /** Drafts made through Graph (POST /me/messages, createReply), until sent. */
  drafts: Map<string, FakeDraft>;
  /** What the user sent: `sendMail`, or a draft sent (`new`, or a `reply` to `replyTo`). */
  sent: (FakeDraft & { kind: 'sendMail' | 'new' | 'reply' })[];
  seq: number;
  /** Sync states of an older generation answer 410 (`expireSyncState` starts a new one). */
  generation: number;
}

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
const graphId = (prefix: string) => `${prefix}${randomBytes(48).toString('base64').replace(/\//g, '-')}=`;
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const encodeState = (state: object) => Buffer.from(JSON.stringify(state)).toString('base64url');
function decodeState(text: string | undefined): any {
  try {
    return JSON.parse(Buffer.from(text ?? '', 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

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

const graphError = (code: string, message: string) => ({
  error: {
    code,
    message,
    innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID() },
  },
});

const SELECT_ALWAYS = ['id'];

/** `$select`: the properties named (and id and the OData annotations), or all. */
function pick(entity: Record<string, unknown>, select: string | undefined): Record<string, unknown> {
  if (!select) return entity;
  const names = new Set([...SELECT_ALWAYS, ...select.split(',').map((name) => name.trim())]);
  return Object.fromEntries(Object.entries(entity).filter(([name]) => names.has(name) || name.startsWith('@odata')));
}

const project = (message: FakeMessage, select: string | undefined) =>
  pick({ '@odata.etag': `W/"${token(12)}"`, ...message }, select);

function receivedAfter(message: FakeMessage, filter: { op: string; at: string }) {
  const [received, at] = [Date.parse(message.receivedDateTime), Date.parse(filter.at)];
  return filter.op === 'ge' ? received >= at : received > at;
}

/** Graph refuses to send a message without a valid recipient. */
function recipientsInvalid(message: any) {
  const recipients = message?.toRecipients;
  const valid =
    Array.isArray(recipients) &&
    recipients.length > 0 &&
    recipients.every((recipient: any) => /^[^@\s]+@[^@\s]+$/.test(recipient?.emailAddress?.address ?? ''));
  return valid ? null : graphError('ErrorInvalidRecipients', 'At least one recipient is not valid.');
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

  function delta(response: ServerResponse, mailbox: FakeMailbox, query: Record<string, string>, prefer: string) {
    const pageSize = Number(/odata\.maxpagesize=(\d+)/.exec(prefer)?.[1] ?? 10);
    const skip = query.$skiptoken ? decodeState(query.$skiptoken) : undefined;
    const from = query.$deltatoken ? decodeState(query.$deltatoken) : undefined;
    // The one filter the delta query takes: receivedDateTime ge (or gt) an instant.
    const filter = /^receivedDateTime (ge|gt) (\S+)$/.exec(query.$filter ?? '');
    if (query.$filter && !filter)
      return answer(response, 400, graphError('ErrorInvalidUrlQueryFilter', 'The filter is not supported.'));
    const received = filter ? { op: filter[1], at: filter[2] } : undefined;
    const fresh = { since: 0, select: query.$select, received, generation: mailbox.generation };
    const state = query.$skiptoken ? skip : query.$deltatoken ? from && { ...from } : fresh;
    if (!state || typeof state.since !== 'number')
      return answer(response, 400, graphError('ErrorInvalidUrlQuery', 'The sync state token is invalid.'));
    if (state.generation !== mailbox.generation)
      return answer(response, 410, graphError('SyncStateNotFound', 'The sync state generation is not found.'));
    const upto: number = state.upto ?? mailbox.seq;
    const after: number = state.after ?? state.since;
    const initial = state.since === 0;
    const changed = mailbox.inbox
      .filter((stored) => stored.changeSeq > after && stored.changeSeq <= upto && !(initial && stored.removed))
      .filter((stored) => stored.removed || !state.received || receivedAfter(stored.message, state.received))
      .sort((a, b) => a.changeSeq - b.changeSeq);
    const page = changed.slice(0, pageSize);
    const value = page.map((stored) =>
      stored.removed
        ? { '@odata.type': '#microsoft.graph.message', id: stored.message.id, '@removed': { reason: 'deleted' } }
        : { '@odata.type': '#microsoft.graph.message', ...project(stored.message, state.select) },
    );
    const link = `${origin()}/v1.0/me/mailFolders('inbox')/messages/delta`;
    const more = changed.length > page.length;
    const nextRound = { since: upto, select: state.select, received: state.received, generation: state.generation };
    const next = more
      ? { '@odata.nextLink': `${link}?$skiptoken=${encodeState({ ...state, upto, after: page.at(-1)!.changeSeq })}` }
      : { '@odata.deltaLink': `${link}?$deltatoken=${encodeState(nextRound)}` };
    answer(
      response,
      200,
      { '@odata.context': `${origin()}/v1.0/$metadata#Collection(message)`, ...next, value },
      prefer ? { 'preference-applied': `odata.maxpagesize=${pageSize}` } : {},
    );
  }

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
    if (method === 'GET' && route === '/me/mailFolders/inbox/messages/delta')
      return delta(response, mailbox, query, String(request.headers.prefer ?? ''));
    if (method === 'POST' && route === '/me/revokeSignInSessions') {
      for (const [key, value] of refreshTokens) if (value.userId === mailbox.id) refreshTokens.delete(key);
      return answer(response, 200, { '@odata.context': `${origin()}/v1.0/$metadata#Edm.Boolean`, value: true });
    }
    if (method === 'POST' && route === '/me/sendMail') {
      const invalid = recipientsInvalid(body?.message);
      if (invalid) return answer(response, 400, invalid);
      mailbox.sent.push({ kind: 'sendMail', conversationId: graphId('AAQk'), message: body.message });
      return answer(response, 202, undefined);
    }
    if (method === 'GET' && route === '/me/messages') {
      // The two filters Fieldline uses: by Message-ID, by conversation.
      const filter = /^(internetMessageId|conversationId) eq '((?:[^']|'')*)'$/.exec(query.$filter ?? '');
      if (!filter)
        return answer(response, 400, graphError('ErrorInvalidUrlQueryFilter', 'The filter is not supported.'));
      const value = filter[2].replace(/''/g, "'");
      // /me/messages spans every folder: the inbox and Sent Items.
      const found = everyMessage(mailbox)
        .filter((message) => (message as any)[filter[1]] === value)
        .slice(0, Number(query.$top ?? 10))
        .map((message) => project(message, query.$select));
      return answer(response, 200, {
        '@odata.context': `${origin()}/v1.0/$metadata#users('me')/messages`,
        value: found,
      });
    }
    if (method === 'POST' && route === '/me/messages') {
      const draft = newDraft(mailbox, body ?? {}, graphId('AAQk'));
      return answer(response, 201, draft);
    }
    const item = /^\/me\/messages\/([^/]+)(\/attachments(?:\/([^/]+))?|\/createReply|\/send)?$/.exec(route);
    const id = item ? decodeURIComponent(item[1]) : '';
    const draft = mailbox.drafts.get(id);
    if (draft && method === 'POST' && item![2] === '/send') {
      const invalid = recipientsInvalid(draft.message);
      if (invalid) return answer(response, 400, invalid);
      mailbox.drafts.delete(id);
      const sentAt = new Date().toISOString().slice(0, 19) + 'Z';
      Object.assign(draft.message, { isDraft: false, sentDateTime: sentAt, receivedDateTime: sentAt });
      mailbox.sent.push({ kind: draft.replyTo ? 'reply' : 'new', ...draft });
      return answer(response, 202, undefined);
    }
    if (draft && method === 'DELETE' && !item![2]) {
      mailbox.drafts.delete(id);
      return answer(response, 204, undefined);
    }
    const stored = item ? storedMessage(mailbox, id) : undefined;
    if (!stored || stored.removed)
      return answer(
        response,
        404,
        item
          ? graphError('ErrorItemNotFound', 'The specified object was not found in the store.')
          : graphError('BadRequest', `Resource not found for the segment '${route.split('/').pop()}'.`),
      );
    if (method === 'GET' && !item![2]) return answer(response, 200, project(stored.message, query.$select));
    if (method === 'GET' && item![2].startsWith('/attachments')) {
      const shown = stored.attachments.map((attachment, index) => ({
        '@odata.type': '#microsoft.graph.fileAttachment',
        '@odata.mediaContentType': attachment.contentType,
        id: `${stored.message.id}${index}`,
        lastModifiedDateTime: stored.message.receivedDateTime,
        name: attachment.name,
        contentType: attachment.contentType,
        size: attachment.content.length,
        isInline: false,
        contentId: null,
        contentLocation: null,
        contentBytes: attachment.content.toString('base64'),
      }));
      if (!item![3])
        return answer(response, 200, {
          '@odata.context': `${origin()}/v1.0/$metadata#users('me')/messages('${id}')/attachments`,
          value: query.$select ? shown.map(({ contentBytes: _bytes, ...rest }) => pick(rest, query.$select)) : shown,
        });
      const one = shown.find((attachment) => attachment.id === decodeURIComponent(item![3]));
      if (!one) return answer(response, 404, graphError('ErrorItemNotFound', 'The attachment was not found.'));
      return answer(response, 200, one);
    }
    if (method === 'POST' && item![2] === '/createReply') {
      const subject = `RE: ${stored.message.subject}`;
      const reply = newDraft(mailbox, { subject, ...body?.message }, stored.message.conversationId, stored.message);
      return answer(response, 201, reply);
    }
    answer(response, 405, graphError('Request_BadRequest', `${method} is not supported here.`));
  }

  /** Messages of every folder: the inbox's (not removed) and what was sent from drafts. */
  const everyMessage = (mailbox: FakeMailbox): FakeMessage[] => [
    ...mailbox.inbox.filter((stored) => !stored.removed).map((stored) => stored.message),
    ...mailbox.sent.filter((sent) => sent.kind !== 'sendMail').map((sent) => sent.message as FakeMessage),
  ];

  /** A message by id, in the inbox or Sent Items (a sent one has no attachments here). */
  function storedMessage(mailbox: FakeMailbox, id: string): StoredMessage | undefined {
    const inbox = mailbox.inbox.find((entry) => entry.message.id === id);
    if (inbox) return inbox;
    const sent = mailbox.sent.find((entry) => entry.kind !== 'sendMail' && entry.message.id === id);
    return sent && { message: sent.message, attachments: [], changeSeq: 0, removed: false };
  }

  /** A draft in the mailbox (POST /me/messages, createReply): answered as Graph's message. */
  function newDraft(mailbox: FakeMailbox, input: any, conversationId: string, replyTo?: FakeMessage) {
    const now = new Date().toISOString().slice(0, 19) + 'Z';
    const message = {
      id: graphId('AAMk'),
      createdDateTime: now,
      lastModifiedDateTime: now,
      subject: input.subject ?? '',
      body: input.body ?? { contentType: 'text', content: '' },
      toRecipients: input.toRecipients ?? (replyTo ? [replyTo.from] : []),
      from: { emailAddress: { name: mailbox.displayName, address: mailbox.mail } },
      conversationId,
      isDraft: true,
      internetMessageId: `<${token(12)}@fake.outlook.com>`,
    };
    mailbox.drafts.set(message.id, { conversationId, replyTo: replyTo?.id, message });
    return message;
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
      const mailbox: FakeMailbox = {
        id: randomUUID(),
        displayName,
        mail,
        userPrincipalName: mail,
        inbox: [],
        drafts: new Map(),
        sent: [],
        seq: 0,
        generation: 0,
      };
      mailboxes.set(mailbox.id, mailbox);
      signInAs = mailbox.id;
      return mailbox;
    },
    signInAs(userId: string) {
      signInAs = userId;
    },
    /** A message arrives in the user's inbox; `inReplyTo` (a message id) keeps its conversation. */
    deliver(
      userId: string,
      input: {
        from: FakeAddress;
        subject: string;
        text: string;
        to?: FakeAddress[];
        inReplyTo?: string;
        attachments?: FakeAttachmentInput[];
        /** When it arrived (default now). */
        receivedAt?: Date;
      },
    ): FakeMessage {
      const mailbox = mailboxOrThrow(userId);
      const parent = mailbox.inbox.find((stored) => stored.message.id === input.inReplyTo);
      const now = (input.receivedAt ?? new Date()).toISOString().slice(0, 19) + 'Z';
      const message: FakeMessage = {
        id: graphId('AAMk'),
        createdDateTime: now,
        lastModifiedDateTime: now,
        receivedDateTime: now,
        sentDateTime: now,
        hasAttachments: (input.attachments ?? []).length > 0,
        internetMessageId: `<${token(12)}@fake.outlook.com>`,
        subject: input.subject,
        bodyPreview: input.text.slice(0, 255),
        importance: 'normal',
        parentFolderId: 'AQMkInbox',
        conversationId: parent?.message.conversationId ?? graphId('AAQk'),
        isRead: false,
        isDraft: false,
        body: { contentType: 'text', content: input.text },
        sender: { emailAddress: input.from },
        from: { emailAddress: input.from },
        toRecipients: (input.to ?? [{ name: mailbox.displayName, address: mailbox.mail }]).map((emailAddress) => ({
          emailAddress,
        })),
        ccRecipients: [],
        bccRecipients: [],
        replyTo: [],
      };
      mailbox.inbox.push({ message, attachments: input.attachments ?? [], changeSeq: ++mailbox.seq, removed: false });
      return message;
    },
    /** The user deletes a message: the next delta round reports it `@removed`. */
    remove(userId: string, messageId: string) {
      const mailbox = mailboxOrThrow(userId);
      const stored = mailbox.inbox.find((entry) => entry.message.id === messageId);
      if (stored) Object.assign(stored, { removed: true, changeSeq: ++mailbox.seq });
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
