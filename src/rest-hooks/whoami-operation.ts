// GET /v1/hooks/me: who a credential is, for an integration platform's connection test and the
// label it shows for the connection ("Acme Plumbing (Zapier key)"). Any valid credential may ask.
import { z } from 'zod';
import { systemQuery } from '../db/system-query.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import type { Principal } from '../platform/operations/principal.ts';

const Identity = z.object({
  object: z.literal('credential_identity'),
  label: z.string().describe('A name for the connection: the account and the credential.'),
  account: z.object({ id: z.string(), name: z.string(), plan: z.string() }),
  credential: z.object({
    type: z.enum(['api_key', 'oauth_token', 'session']),
    id: z.string().describe('The API key id, the OAuth client id or the session id.'),
    name: z.string().nullable().describe("The key's or the OAuth app's name; for a session, the member's."),
    scopes: z.array(z.string()),
  }),
});

const IDENTITY = `SELECT a.id, a.name, a.plan,
    (SELECT k.name FROM api_keys k WHERE k.id = $2 AND k.account_id = a.id) AS key_name,
    (SELECT c.name FROM oauth_clients c WHERE c.client_id = $3) AS client_name,
    (SELECT u.name FROM users u WHERE u.id = $4 AND u.account_id = a.id) AS member_name
  FROM accounts a WHERE a.id = $1`;

function credentialOf(principal: Principal, row: Record<string, any>) {
  if (principal.keyId) return { type: 'api_key' as const, id: principal.keyId, name: row.key_name ?? null };
  if (principal.oauthClientId)
    return { type: 'oauth_token' as const, id: principal.oauthClientId, name: row.client_name ?? null };
  return { type: 'session' as const, id: principal.sessionId ?? '', name: row.member_name ?? null };
}

export const whoamiOperation = defineOperation({
  method: 'get',
  path: '/v1/hooks/me',
  operationId: 'getRestHookIdentity',
  tag: 'RestHook',
  scope: null,
  bucket: 'read',
  summary: 'Who this credential is (connection test)',
  description:
    'The account and the credential (type, name, scopes) the request was made with: an integration platform ' +
    "calls it to test a connection and to label it (Zapier's `test` and `connectionLabel`).",
  response: Identity,
  async handle({ runtime, principal }) {
    const [row] = await systemQuery(runtime.db, {
      sql: IDENTITY,
      parameters: [
        principal.accountId,
        principal.keyId ?? null,
        principal.oauthClientId ?? null,
        principal.userId ?? null,
      ],
    });
    const credential = { ...credentialOf(principal, row), scopes: [...principal.scopes].sort() };
    const data = {
      object: 'credential_identity' as const,
      label: credential.name ? `${row.name} (${credential.name})` : row.name,
      account: { id: row.id, name: row.name, plan: row.plan },
      credential,
    };
    return { status: 200, body: { data } };
  },
});
