// /v1/oauth/connected-apps: the apps this account's members have let in (their grants, by
// consent), whoever registered them. Disconnecting one ends its grants and tokens in this
// account only, on every node at once (the token table's trigger); its grants elsewhere stay.
import { z } from 'zod';
import { systemQuery } from '../db/system-query.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError } from '../platform/errors.ts';
import { oauthTokenVerifier } from './auth-services.ts';
import { endGrants } from './oauth-grants.ts';

const ConnectedApp = z.object({
  id: z.string().describe("The app's client_id."),
  object: z.literal('connected_app'),
  name: z.string(),
  uri: z.string().nullable(),
  scopes: z.array(z.string()).describe('Every scope granted to the app in this account, by anyone.'),
  people: z
    .array(z.object({ person_id: z.string(), email: z.string(), granted_at: z.string() }))
    .describe('Who granted access.'),
  first_granted_at: z.string(),
});

export const connectedAppOperations = [
  defineOperation({
    method: 'get',
    path: '/v1/oauth/connected-apps',
    operationId: 'listConnectedApps',
    tag: 'OAuth',
    scope: 'read:oauth-clients',
    bucket: 'read',
    summary: 'List connected apps',
    description: 'Apps that members of this account have granted access to it, most recently granted first.',
    response: z.array(ConnectedApp),
    async handle({ runtime, principal }) {
      const rows = await systemQuery(runtime.db, {
        sql: `SELECT c.client_id, c.name, c.uri,
                       (SELECT jsonb_agg(DISTINCT s) FROM oauth_consents g2, jsonb_array_elements_text(g2.scopes) s
                         WHERE g2.client_id = c.client_id AND g2.reference_id = $1) AS scopes,
                       jsonb_agg(jsonb_build_object('person_id', p.id, 'email', p.email, 'granted_at', g.created_at)
                       ORDER BY g.created_at) AS people,
                       min(g.created_at) AS first_granted_at, max(g.updated_at) AS last_granted_at
                  FROM oauth_consents g JOIN oauth_clients c ON c.client_id = g.client_id
                  JOIN people p ON p.id = g.person_id
                 WHERE g.reference_id = $1
                 GROUP BY c.client_id, c.name, c.uri
                 ORDER BY last_granted_at DESC, c.client_id DESC LIMIT 200`,
        parameters: [principal.accountId],
      });
      return {
        status: 200,
        body: {
          data: rows.map((r) => ({
            id: r.client_id,
            object: 'connected_app',
            name: r.name ?? r.client_id,
            uri: r.uri ?? null,
            scopes: r.scopes ?? [],
            people: r.people,
            first_granted_at: r.first_granted_at,
          })),
        },
      };
    },
  }),
  defineOperation({
    method: 'delete',
    path: '/v1/oauth/connected-apps/{id}',
    operationId: 'disconnectApp',
    tag: 'OAuth',
    scope: 'write:oauth-clients',
    bucket: 'write',
    summary: 'Disconnect an app',
    description:
      'Ends every grant, access token, refresh token and unexchanged authorization code the app holds in this ' +
      'account, at once. It must ask for consent again.',
    params: { id: { pattern: '^oac_' } },
    response: z.object({ id: z.string(), object: z.literal('connected_app'), disconnected: z.literal(true) }),
    async handle({ runtime, principal, params }) {
      const grants = await endGrants(runtime.db, { clientId: params.id, accountId: principal.accountId });
      if (grants === 0) throw new ApiError('not_found', `No app '${params.id}' is connected to this account`);
      runtime.find(oauthTokenVerifier)?.forget('account', principal.accountId);
      return { status: 200, body: { data: { id: params.id, object: 'connected_app', disconnected: true } } };
    },
  }),
];
