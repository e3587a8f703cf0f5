// A local fake of Google for the Gmail connector's tests: one HTTP server on 127.0.0.1 playing
// Google's OAuth 2.0 token endpoint (authorization_code with PKCE S256, refresh_token,
// `invalid_grant`), the revoke endpoint, and the Gmail REST API calls Fieldline makes (profile,
// messages.list with pageToken, messages.get format=full|raw, history.list, attachments.get,
// messages.send), as Google documents them, and the Calendar API v3
// (fake-google-calendar.ts). Tests queue failures (429 with Retry-After, 5xx,
// malformed or huge answers) for the next matching request, and read what it was asked.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { googleCalendarRoutes } from './fake-google-calendar.ts';

export const FAKE_CLIENT = { clientId: 'fake-client.apps.googleusercontent.com', clientSecret: 'fake-secret-123' };

const token = (prefix: string) => `${prefix}${randomBytes(18).toString('base64url')}`;
const b64url = (text: string | Buffer) => Buffer.from(text).toString('base64url');

export interface FakeMail {
  id: string;
  threadId: string;
  labelIds: string[];
  from: string;
  to: string;
  subject: string;
  text: string;
  messageId: string;
  inReplyTo?: string;
  attachments: { id: string; filename: string; mimeType: string; content: Buffer }[];
  internalDate: number;
}

interface Grant {
  email: string;
  refreshToken: string;
  revoked: boolean;
}

export interface FakeFailure {
  /** Which request: a path suffix (`/messages`), and optionally a query parameter it has. */
  path: string;
  when?: (query: URLSearchParams) => boolean;
  status: number;
  headers?: Record<string, string>;
  /** A body as is; `huge`: an endless-looking 17 MiB body. */
  body?: string | 'huge';
}

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  form?: URLSearchParams;
  json?: any;
  authorization?: string;
}

export async function startFakeGoogle() {
  const mailboxes = new Map<
    string,
    { historyId: number; mails: FakeMail[]; history: { id: number; mailId: string }[] }
  >();
  const codes = new Map<string, { email: string; redirectUri: string; challenge: string; scope: string }>();
  const accessTokens = new Map<string, { grant: Grant; expiresAt: number }>();
  const grants = new Map<string, Grant>();
  const failures: FakeFailure[] = [];
  const requests: SeenRequest[] = [];
  const sent: { raw: string; threadId?: string; id: string }[] = [];
  let historyFloor = 0;
  let accessTokenTtl = 3600;
  let nextId = 0x1000;

  const mailbox = (email: string) => {
    let box = mailboxes.get(email);
    if (!box) mailboxes.set(email, (box = { historyId: 1000, mails: [], history: [] }));
    return box;
  };

  function deliver(email: string, mail: Partial<FakeMail> & { from: string; subject: string; text: string }) {
    const box = mailbox(email);
    const id = (nextId++).toString(16).padStart(16, '0');
    const full: FakeMail = {
      ...mail,
      id,
      threadId: mail.threadId ?? id,
      labelIds: mail.labelIds ?? ['INBOX', 'UNREAD'],
      to: mail.to ?? email,
      messageId: mail.messageId ?? `<${id}@mail.example>`,
      attachments: mail.attachments ?? [],
      internalDate: Date.now(),
    };
    box.mails.push(full);
    box.history.push({ id: ++box.historyId, mailId: id });
    return full;
  }

  function payloadOf(mail: FakeMail) {
    const headers = [
      { name: 'From', value: mail.from },
      { name: 'To', value: mail.to },
      { name: 'Subject', value: mail.subject },
      { name: 'Message-ID', value: mail.messageId },
      ...(mail.inReplyTo ? [{ name: 'In-Reply-To', value: mail.inReplyTo }] : []),
    ];
    const text = {
      partId: '0',
      mimeType: 'text/plain',
      filename: '',
      body: { size: mail.text.length, data: b64url(mail.text) },
    };
    const attachments = mail.attachments.map((a, i) => ({
      partId: String(i + 1),
      mimeType: a.mimeType,
      filename: a.filename,
      body: { attachmentId: a.id, size: a.content.length },
    }));
    return {
      partId: '',
      mimeType: 'multipart/mixed',
      filename: '',
      headers,
      body: { size: 0 },
      parts: [text, ...attachments],
    };
  }

  const rawOf = (mail: FakeMail) =>
    b64url(
      [
        `From: ${mail.from}`,
        `To: ${mail.to}`,
        `Subject: ${mail.subject}`,
        `Message-ID: ${mail.messageId}`,
        '',
        mail.text,
      ].join('\r\n'),
    );

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const googleError = (res: ServerResponse, status: number, message: string, state: string) =>
    send(res, status, { error: { code: status, message, status: state } });

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function issueTokens(grant: Grant) {
    const access = token('ya29.');
    accessTokens.set(access, { grant, expiresAt: Date.now() + accessTokenTtl * 1000 });
    return access;
  }

  function tokenEndpoint(res: ServerResponse, form: URLSearchParams) {
    if (form.get('client_id') !== FAKE_CLIENT.clientId || form.get('client_secret') !== FAKE_CLIENT.clientSecret)
      return send(res, 401, { error: 'invalid_client' });
    if (form.get('grant_type') === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!code || code.redirectUri !== form.get('redirect_uri') || code.challenge !== challenge)
        return send(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
      const grant: Grant = { email: code.email, refreshToken: token('1//'), revoked: false };
      grants.set(grant.refreshToken, grant);
      const access = issueTokens(grant);
      return send(res, 200, {
        access_token: access,
        expires_in: accessTokenTtl,
        refresh_token: grant.refreshToken,
        scope: code.scope,
        token_type: 'Bearer',
      });
    }
    if (form.get('grant_type') === 'refresh_token') {
      const grant = grants.get(form.get('refresh_token') ?? '');
      if (!grant || grant.revoked)
        return send(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      return send(res, 200, { access_token: issueTokens(grant), expires_in: accessTokenTtl, token_type: 'Bearer' });
    }
    return send(res, 400, { error: 'unsupported_grant_type' });
  }

  function revokeEndpoint(res: ServerResponse, form: URLSearchParams) {
    const value = form.get('token') ?? '';
    const grant = grants.get(value) ?? accessTokens.get(value)?.grant;
    if (!grant || grant.revoked) return send(res, 400, { error: 'invalid_token' });
    grant.revoked = true;
    return send(res, 200, {});
  }

  function gmail(res: ServerResponse, method: string, path: string, query: URLSearchParams, auth: string, json: any) {
    const access = accessTokens.get(auth.replace(/^Bearer /, ''));
    if (!access || access.grant.revoked || access.expiresAt < Date.now())
      return googleError(res, 401, 'Request had invalid authentication credentials.', 'UNAUTHENTICATED');
    const box = mailbox(access.grant.email);
    const rest = path.replace('/gmail/v1/users/me/', '');
    if (rest === 'profile')
      return send(res, 200, {
        emailAddress: access.grant.email,
        historyId: String(box.historyId),
        messagesTotal: box.mails.length,
      });
    if (rest === 'messages' && method === 'GET') {
      const newest = [...box.mails].reverse().filter((m) => !m.labelIds.includes('SENT') || true);
      const size = Number(query.get('maxResults') ?? 100);
      const offset = Number(query.get('pageToken') ?? 0);
      const page = newest.slice(offset, offset + size);
      return send(res, 200, {
        messages: page.map((m) => ({ id: m.id, threadId: m.threadId })),
        ...(offset + size < newest.length ? { nextPageToken: String(offset + size) } : {}),
        resultSizeEstimate: newest.length,
      });
    }
    if (rest === 'messages/send' && method === 'POST') {
      const raw = Buffer.from(String(json?.raw ?? ''), 'base64url').toString('utf8');
      const to = /^To: (.*)$/m.exec(raw)?.[1] ?? '';
      const subject = /^Subject: (.*)$/m.exec(raw)?.[1] ?? '';
      const mail = deliver(access.grant.email, {
        from: access.grant.email,
        to,
        subject,
        text: raw.split('\r\n\r\n').slice(1).join('\r\n\r\n'),
        threadId: json?.threadId,
        labelIds: ['SENT'],
        messageId: /^Message-ID: (.*)$/m.exec(raw)?.[1],
      });
      sent.push({ raw, threadId: json?.threadId, id: mail.id });
      return send(res, 200, { id: mail.id, threadId: mail.threadId, labelIds: ['SENT'] });
    }
    const attachment = /^messages\/([^/]+)\/attachments\/([^/]+)$/.exec(rest);
    if (attachment) {
      const found = box.mails.find((m) => m.id === attachment[1])?.attachments.find((a) => a.id === attachment[2]);
      if (!found) return googleError(res, 404, 'Requested entity was not found.', 'NOT_FOUND');
      return send(res, 200, { size: found.content.length, data: b64url(found.content) });
    }
    const one = /^messages\/([^/]+)$/.exec(rest);
    if (one) {
      const mail = box.mails.find((m) => m.id === one[1]);
      if (!mail) return googleError(res, 404, 'Requested entity was not found.', 'NOT_FOUND');
      const common = {
        id: mail.id,
        threadId: mail.threadId,
        labelIds: mail.labelIds,
        snippet: mail.text.slice(0, 100),
      };
      if (query.get('format') === 'raw') return send(res, 200, { ...common, raw: rawOf(mail) });
      return send(res, 200, { ...common, internalDate: String(mail.internalDate), payload: payloadOf(mail) });
    }
    if (rest === 'history') {
      const start = Number(query.get('startHistoryId'));
      if (!Number.isFinite(start) || start < historyFloor)
        return googleError(res, 404, 'Requested entity was not found.', 'NOT_FOUND');
      const size = Number(query.get('maxResults') ?? 100);
      const offset = Number(query.get('pageToken') ?? 0);
      const after = box.history.filter((h) => h.id > start);
      const page = after.slice(offset, offset + size);
      return send(res, 200, {
        history: page.map((h) => {
          const mail = box.mails.find((m) => m.id === h.mailId)!;
          return { id: String(h.id), messagesAdded: [{ message: { id: mail.id, threadId: mail.threadId } }] };
        }),
        ...(offset + size < after.length ? { nextPageToken: String(offset + size) } : {}),
        historyId: String(box.historyId),
      });
    }
    return googleError(res, 404, 'Not found', 'NOT_FOUND');
  }

  const calendar = googleCalendarRoutes((res, status, body) => send(res, status, body));

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const text = await readBody(req);
    const isForm = (req.headers['content-type'] ?? '').includes('x-www-form-urlencoded');
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      form: isForm ? new URLSearchParams(text) : undefined,
      json: !isForm && text ? JSON.parse(text) : undefined,
      authorization: req.headers.authorization,
    };
    requests.push(seen);
    const failure = failures.findIndex((f) => url.pathname.endsWith(f.path) && (f.when?.(url.searchParams) ?? true));
    if (failure >= 0) {
      const [f] = failures.splice(failure, 1);
      if (f.body === 'huge') {
        res.writeHead(f.status, { 'content-type': 'application/json', ...f.headers });
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        for (let i = 0; i < 17 && !res.destroyed; i++) await new Promise((done) => res.write(chunk, done));
        return res.end();
      }
      res.writeHead(f.status, { 'content-type': 'application/json', ...f.headers });
      return res.end(f.body ?? JSON.stringify({ error: { code: f.status, message: 'injected', status: 'INTERNAL' } }));
    }
    if (url.pathname === '/token' && req.method === 'POST')
      return tokenEndpoint(res, seen.form ?? new URLSearchParams());
    if (url.pathname === '/revoke' && req.method === 'POST') return revokeEndpoint(res, seen.form ?? url.searchParams);
    if (url.pathname.startsWith('/gmail/v1/users/me/'))
      return gmail(res, seen.method, url.pathname, url.searchParams, req.headers.authorization ?? '', seen.json);
    if (url.pathname.startsWith('/calendar/v3/')) {
      const access = accessTokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!access || access.grant.revoked || access.expiresAt < Date.now())
        return googleError(res, 401, 'Request had invalid authentication credentials.', 'UNAUTHENTICATED');
      return calendar.route(res, seen.method, url.pathname, url.searchParams, seen.json, access.grant.email);
    }
    return send(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    base,
    /** The settings Fieldline runs with against this fake. */
    settings: {
      google: { ...FAKE_CLIENT, accountsUrl: base, oauthUrl: base, apiUrl: base, calendarUrl: base },
    },
    /** Each account's primary calendar (Google Calendar API v3). */
    calendar,
    requests,
    sent,
    deliver,
    mailbox,
    grants,
    /** Queues a failure for the next request it matches. */
    fail: (failure: FakeFailure) => failures.push(failure),
    /** Access tokens issued from now on last `seconds`. */
    setAccessTokenTtl: (seconds: number) => (accessTokenTtl = seconds),
    /** History ids under this one are expired (history.list answers 404). */
    expireHistoryBefore: (id: number) => (historyFloor = id),
    /** Revokes every grant of `email` at Google's side (the person removed access). */
    revokeAll: (email: string) => grants.forEach((grant) => grant.email === email && (grant.revoked = true)),
    /**
     * Plays the consent page: checks the authorize URL as Google would and answers where Google
     * sends the browser back (the callback URL with `code` and `state`).
     */
    consent(authorizeUrl: string, email: string): string {
      const url = new URL(authorizeUrl);
      const q = url.searchParams;
      if (url.pathname !== '/o/oauth2/v2/auth') throw new Error(`not the authorize endpoint: ${url.pathname}`);
      if (q.get('client_id') !== FAKE_CLIENT.clientId) throw new Error('unknown client_id');
      if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge'))
        throw new Error('expected response_type=code with a PKCE S256 challenge');
      const code = token('4/');
      codes.set(code, {
        email,
        redirectUri: q.get('redirect_uri')!,
        challenge: q.get('code_challenge')!,
        scope: q.get('scope')!,
      });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state')!);
      return back.pathname + back.search;
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

export type FakeGoogle = Awaited<ReturnType<typeof startFakeGoogle>>;
