// Microsoft Graph v1.0 mail as the fake Microsoft (fake-microsoft.ts) plays it for one signed-in
// mailbox, in the shapes Graph documents: the inbox delta query (`$select`, one `$filter` on
// receivedDateTime, `Prefer: odata.maxpagesize`, `@odata.nextLink` pages ending with an
// `@odata.deltaLink`, `@removed` entries, 410 for a sync state of an older generation), messages by
// `$filter` across folders, a message and its attachments (fileAttachment with contentBytes;
// `$select`), drafts (`POST /me/messages`, `createReply` keeping the conversationId) sent with
// `/send` or deleted, and `sendMail`. Sync states are opaque tokens that carry where a round is.
import type { ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';

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

export interface StoredMessage {
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

/** How the server answers: status, a JSON body (none when undefined), headers. */
export type Answer = (
  response: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
) => void;

export interface InboxMessageInput {
  from: FakeAddress;
  subject: string;
  text: string;
  to?: FakeAddress[];
  /** A message id: the new one joins its conversation. */
  inReplyTo?: string;
  attachments?: FakeAttachmentInput[];
  /** When it arrived (default now). */
  receivedAt?: Date;
}

export const token = (bytes = 24) => randomBytes(bytes).toString('base64url');
export const graphId = (prefix: string) => `${prefix}${randomBytes(48).toString('base64').replace(/\//g, '-')}=`;
const encodeState = (state: object) => Buffer.from(JSON.stringify(state)).toString('base64url');
function decodeState(text: string | undefined): any {
  try {
    return JSON.parse(Buffer.from(text ?? '', 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

export const graphError = (code: string, message: string) => ({
  error: {
    code,
    message,
    innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID() },
  },
});

const SELECT_ALWAYS = ['id'];

/** `$select`: the properties named (and id and the OData annotations), or all. */
export function pick(entity: Record<string, unknown>, select: string | undefined): Record<string, unknown> {
  if (!select) return entity;
  const names = new Set([...SELECT_ALWAYS, ...select.split(',').map((name) => name.trim())]);
  return Object.fromEntries(Object.entries(entity).filter(([name]) => names.has(name) || name.startsWith('@odata')));
}

export const project = (message: FakeMessage, select: string | undefined) =>
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

export function newMailbox(mail: string, displayName: string): FakeMailbox {
  return {
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
}

/** A message arrives in the inbox (a change the next delta round reports). */
export function deliverTo(mailbox: FakeMailbox, input: InboxMessageInput): FakeMessage {
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
}

/** Graph's mail routes for a signed-in mailbox; `origin` is where the fake listens (for links). */
export function graphMail(origin: () => string, answer: Answer) {
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

  return function mailRoute(
    response: ServerResponse,
    mailbox: FakeMailbox,
    method: string,
    route: string,
    query: Record<string, string>,
    prefer: string,
    body: any,
  ): void {
    if (method === 'GET' && route === '/me/mailFolders/inbox/messages/delta')
      return delta(response, mailbox, query, prefer);
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
  };
}
