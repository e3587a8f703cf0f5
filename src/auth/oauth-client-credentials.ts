// How a client proves who it is at the token, introspection and revocation endpoints (RFC 6749
// §2.3.1): its id and secret in `Authorization: Basic` (client_secret_basic) or in the form
// (client_secret_post), or its id alone for a public client (none). Better Auth checks them, but
// only by the one method a client registered; a confidential client may use either of the two
// we advertise, so its request is put in its registered form first (asRegisteredMethod). Where
// Better Auth has nothing to check them for (revoking a token that is already gone), they are
// checked here the same way: stored secret unsealed, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { decodeBasicCredentials, encodeBasicCredentials } from '@better-auth/core/oauth2';
import { systemQuery } from '../db/system-query.ts';
import type { Runtime } from '../platform/contract.ts';
import { OAUTH_CLIENT_SECRET_PREFIX } from './oauth-provider.ts';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/** The methods a client authenticates by: what the metadata advertises (none: public clients only). */
export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'none'];

export interface PresentedClient {
  clientId: string;
  secret: string | null;
  method: ClientAuthMethod;
}

/** Who the request says it is, and by which method; null when it names no client or cannot be read. */
export function presentedClient(request: Request, form: URLSearchParams): PresentedClient | null {
  const authorization = request.headers.get('authorization');
  if (authorization && /^basic\s/i.test(authorization)) {
    try {
      const { clientId, clientSecret } = decodeBasicCredentials(authorization);
      return { clientId, secret: clientSecret, method: 'client_secret_basic' };
    } catch {
      return null;
    }
  }
  const clientId = form.get('client_id');
  if (!clientId) return null;
  const secret = form.get('client_secret') || null;
  return { clientId, secret, method: secret ? 'client_secret_post' : 'none' };
}

interface RegisteredClient {
  method: ClientAuthMethod;
  sealedSecret: string | null;
  disabled: boolean;
}

export async function registeredClient(runtime: Runtime, clientId: string): Promise<RegisteredClient | null> {
  const [row] = await systemQuery(runtime.db, {
    sql: 'SELECT token_endpoint_auth_method, client_secret, disabled FROM oauth_clients WHERE client_id = $1',
    parameters: [clientId],
  });
  if (!row) return null;
  return {
    method: (row.token_endpoint_auth_method ?? 'client_secret_basic') as ClientAuthMethod,
    sealedSecret: row.client_secret,
    disabled: Boolean(row.disabled),
  };
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether the presented credentials are this client's: a public client by its id, a confidential one by its secret. */
export function authenticates(runtime: Runtime, presented: PresentedClient, client: RegisteredClient | null): boolean {
  if (!client || client.disabled) return false;
  if (client.method === 'none') return presented.secret === null;
  if (!presented.secret?.startsWith(OAUTH_CLIENT_SECRET_PREFIX) || !client.sealedSecret) return false;
  let stored: string;
  try {
    stored = runtime.secrets.decrypt(client.sealedSecret);
  } catch {
    return false;
  }
  // Digests: equal lengths for timingSafeEqual, whatever was sent.
  return timingSafeEqual(digest(presented.secret.slice(OAUTH_CLIENT_SECRET_PREFIX.length)), digest(stored));
}

/**
 * The request with a confidential client's credentials moved to the method it registered
 * (Basic header or form), so Better Auth accepts both advertised methods; anything else as it came.
 */
export async function inRegisteredMethod(runtime: Runtime, request: Request): Promise<Request> {
  if (request.method !== 'POST') return request;
  const form = new URLSearchParams(await request.clone().text());
  const presented = presentedClient(request, form);
  if (!presented?.secret) return request;
  const client = await registeredClient(runtime, presented.clientId);
  if (!client || client.method === 'none' || client.method === presented.method) return request;
  const headers = new Headers(request.headers);
  headers.delete('content-length');
  if (client.method === 'client_secret_basic') {
    form.delete('client_id');
    form.delete('client_secret');
    headers.set('authorization', encodeBasicCredentials(presented.clientId, presented.secret));
  } else {
    headers.delete('authorization');
    form.set('client_id', presented.clientId);
    form.set('client_secret', presented.secret);
  }
  return new Request(request.url, { method: 'POST', headers, body: form.toString() });
}
