// /v1/auth, your sessions: who you are and where you act, your sessions on every device (and
// revoking one), switching the account you act in, and accepting an invitation to another.
import { z } from 'zod';
import { systemQuery } from '../db/system-query.ts';
import { ApiError } from '../platform/errors.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { sessionVerifier } from './auth-services.ts';
import { acceptInvitation } from './invitations.ts';
import { memberships } from './person-accounts.ts';
import { announceSessionChange } from './session-changes.ts';
import { actIn, Membership, own, Person, presentPerson, SessionInfo, sessionInfo } from './session-answers.ts';

const getSessionOperation = defineOperation({
  method: 'get',
  path: '/v1/auth/session',
  operationId: 'getSession',
  tag: 'Auth',
  scope: null,
  authentication: 'session',
  bucket: 'read',
  summary: 'Retrieve your session',
  description: 'Who you are, the account this session acts in, and every account you can switch to.',
  response: z.object({
    person: Person,
    session: SessionInfo,
    member: Membership.nullable(),
    accounts: z.array(Membership),
    scopes: z
      .array(z.string())
      .describe(
        "What this session may do in the account it acts in (its role's scopes; `read:*` covers every read): " +
          'clients show only what it may use.',
      ),
  }),
  async handle({ runtime, session }) {
    const me = own(session);
    const current = await sessionInfo(runtime.db, { id: me.sessionId });
    const accounts = await memberships(runtime.db, me.personId);
    return {
      status: 200,
      body: {
        data: {
          person: presentPerson(me.person),
          session: current,
          member: accounts.find((m) => m.account_id === current.active_account_id) ?? null,
          accounts,
          scopes: [...(me.principal?.scopes ?? [])].sort(),
        },
      },
    };
  },
});

const listSessionsOperation = defineOperation({
  method: 'get',
  path: '/v1/auth/sessions',
  operationId: 'listSessions',
  tag: 'Auth',
  scope: null,
  authentication: 'session',
  bucket: 'read',
  summary: 'List your sessions',
  description: 'Every live session of yours, on any device, newest first.',
  response: z.array(
    z.object({
      id: z.string(),
      object: z.literal('session'),
      current: z.boolean(),
      ip_address: z.string().nullable(),
      user_agent: z.string().nullable(),
      created_at: z.string(),
      expires_at: z.string(),
    }),
  ),
  async handle({ runtime, session }) {
    const me = own(session);
    const rows = await systemQuery(runtime.db, {
      sql: `SELECT id, ip_address, user_agent, created_at, expires_at FROM sessions
            WHERE person_id = $1 AND expires_at > now() ORDER BY created_at DESC, id DESC LIMIT 100`,
      parameters: [me.personId],
    });
    return {
      status: 200,
      body: { data: rows.map((r) => ({ object: 'session', current: r.id === me.sessionId, ...r })) },
    };
  },
});

const revokeSessionOperation = defineOperation({
  method: 'delete',
  path: '/v1/auth/sessions/{id}',
  operationId: 'revokeSession',
  tag: 'Auth',
  scope: null,
  authentication: 'session',
  bucket: 'write',
  summary: 'Revoke one of your sessions',
  description: "Signs that device out, on every node at once. Another person's session is a 404.",
  params: { id: { pattern: '^ses_' } },
  response: z.object({ id: z.string(), object: z.literal('session'), revoked: z.literal(true) }),
  async handle({ runtime, session, params }) {
    const me = own(session);
    const revoked = await systemQuery(runtime.db, {
      sql: 'DELETE FROM sessions WHERE id = $1 AND person_id = $2 RETURNING id',
      parameters: [params.id, me.personId],
    });
    if (revoked.length === 0) throw new ApiError('not_found', `No such session: '${params.id}'`);
    await announceSessionChange(runtime.db, runtime.find(sessionVerifier), 'session', params.id);
    return { status: 200, body: { data: { id: params.id, object: 'session', revoked: true } } };
  },
});

const switchAccountOperation = defineOperation({
  method: 'post',
  path: '/v1/auth/switch-account',
  operationId: 'switchAccount',
  tag: 'Auth',
  scope: null,
  authentication: 'session',
  bucket: 'write',
  summary: 'Act in another of your accounts',
  description:
    'This session acts in the given account from its next request on. ' +
    'You must be an active member of it (otherwise 404).',
  body: z.strictObject({ account_id: z.string().min(1).max(64) }),
  response: SessionInfo,
  async handle({ runtime, session, body }) {
    const me = own(session);
    if (!(await memberships(runtime.db, me.personId)).some((m) => m.account_id === body.account_id))
      throw new ApiError('not_found', `No such account among yours: '${body.account_id}'`);
    await actIn(runtime, me.sessionId, body.account_id);
    return { status: 200, body: { data: await sessionInfo(runtime.db, { id: me.sessionId }) } };
  },
});

const acceptInvitationOperation = defineOperation({
  method: 'post',
  path: '/v1/auth/accept-invitation',
  operationId: 'acceptInvitation',
  tag: 'Auth',
  scope: null,
  authentication: 'session',
  bucket: 'write',
  summary: 'Accept an invitation',
  description: "You become the invited member of the account (with the member's role), and this session acts in it.",
  body: z.strictObject({ token: z.string().min(1).max(200) }),
  response: Membership,
  async handle({ runtime, session, body }) {
    const me = own(session);
    const { accountId, userId } = await acceptInvitation(runtime, me.personId, body.token);
    await actIn(runtime, me.sessionId, accountId);
    const member = (await memberships(runtime.db, me.personId)).find((m) => m.user_id === userId)!;
    return { status: 200, body: { data: member } };
  },
});

export const sessionOperations = [
  getSessionOperation,
  listSessionsOperation,
  revokeSessionOperation,
  switchAccountOperation,
  acceptInvitationOperation,
];
