// A connection's OAuth tokens: sealed with the server's key (SecretBox) in integration_tokens,
// read back only to call the provider, never answered or logged. The access token is refreshed
// a minute before it expires (and once more when the provider answers 401 to one we believed
// valid); a refresh the provider refuses with `invalid_grant` leaves the integration
// `needs_reauth` and its tokens forgotten: the person must consent again.
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import type { SecretBox } from '../platform/secret-box.ts';
import type { Runtime } from '../platform/contract.ts';
import type { Connector, OAuthClient } from './connector.ts';
import { markIntegration } from './integration-rows.ts';
import { integrationSettings } from './integration-settings.ts';
import { NeedsReauth, callProvider, providerApi, type ProviderApi } from './provider-api.ts';

export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
}

/** A token endpoint's answer (RFC 6749 section 5.1). */
export const TokenAnswer = z.object({
  access_token: z.string().min(1).max(8192),
  refresh_token: z.string().min(1).max(8192).optional(),
  expires_in: z.number().int().min(0).max(100_000_000).optional(),
  scope: z.string().max(8192).optional(),
  token_type: z.string().max(40).optional(),
});
export type TokenAnswer = z.infer<typeof TokenAnswer>;

/** Refresh this long before the provider's expiry, so a call never carries a token about to lapse. */
const REFRESH_MARGIN_MS = 60_000;

export const tokensFrom = (answer: TokenAnswer, previousRefresh: string | null = null, now = Date.now()): TokenSet => ({
  accessToken: answer.access_token,
  // Google sends a refresh token only at consent; later refreshes keep the one we have.
  refreshToken: answer.refresh_token ?? previousRefresh,
  expiresAt: answer.expires_in !== undefined ? new Date(now + answer.expires_in * 1000) : null,
});

export async function saveTokens(
  db: Database,
  secrets: SecretBox,
  accountId: string,
  provider: string,
  tokens: TokenSet,
  memberId: string | null = null,
): Promise<void> {
  await systemQuery(db, {
    sql: `INSERT INTO integration_tokens (account_id, provider, member_id, access_token, refresh_token, expires_at,
                                          updated_at)
          VALUES ($1, $2, $6, $3, $4, $5, now())
          ON CONFLICT (account_id, provider, member_id) DO UPDATE SET access_token = EXCLUDED.access_token,
            refresh_token = EXCLUDED.refresh_token, expires_at = EXCLUDED.expires_at, updated_at = now()`,
    parameters: [
      accountId,
      provider,
      secrets.encrypt(tokens.accessToken),
      tokens.refreshToken ? secrets.encrypt(tokens.refreshToken) : null,
      tokens.expiresAt?.toISOString() ?? null,
      memberId ?? '',
    ],
  });
}

export async function loadTokens(
  db: Database,
  secrets: SecretBox,
  accountId: string,
  provider: string,
  memberId: string | null = null,
): Promise<TokenSet | null> {
  const [row] = await systemQuery<{ access_token: string; refresh_token: string | null; expires_at: unknown }>(db, {
    sql: `SELECT access_token, refresh_token, expires_at FROM integration_tokens
           WHERE account_id = $1 AND provider = $2 AND member_id = $3`,
    parameters: [accountId, provider, memberId ?? ''],
  });
  if (!row) return null;
  try {
    return {
      accessToken: secrets.decrypt(row.access_token),
      refreshToken: row.refresh_token ? secrets.decrypt(row.refresh_token) : null,
      expiresAt: row.expires_at ? new Date(row.expires_at as string) : null,
    };
  } catch {
    // Sealed with another server key (FIELDLINE_SECRET_KEY changed without its secrets): unusable.
    return null;
  }
}

export async function forgetTokens(
  db: Database,
  accountId: string,
  provider: string,
  memberId: string | null = null,
): Promise<void> {
  await systemQuery(db, {
    sql: 'DELETE FROM integration_tokens WHERE account_id = $1 AND provider = $2 AND member_id = $3',
    parameters: [accountId, provider, memberId ?? ''],
  });
}

/** The client's credentials as its token endpoint takes them: form fields, or HTTP Basic (RFC 6749 2.3.1). */
function clientAuth(client: OAuthClient): { form: Record<string, string>; headers?: Record<string, string> } {
  if (client.authMethod !== 'client_secret_basic')
    return { form: { client_id: client.clientId, client_secret: client.clientSecret } };
  const basic = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`;
  return { form: {}, headers: { authorization: `Basic ${Buffer.from(basic).toString('base64')}` } };
}

/** The refresh_token grant. */
export function refreshGrant(client: OAuthClient, refreshToken: string): Promise<TokenAnswer> {
  const auth = clientAuth(client);
  return callProvider(client.tokenUrl, TokenAnswer, {
    form: { grant_type: 'refresh_token', refresh_token: refreshToken, ...auth.form },
    headers: auth.headers,
  });
}

/** The authorization_code grant, with the PKCE verifier when the flow used one. */
export function exchangeCode(
  client: OAuthClient,
  code: string,
  redirectUri: string,
  codeVerifier: string | null,
): Promise<TokenAnswer> {
  const auth = clientAuth(client);
  return callProvider(client.tokenUrl, TokenAnswer, {
    form: {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      ...auth.form,
      ...(codeVerifier ? { code_verifier: codeVerifier } : {}),
    },
    headers: auth.headers,
  });
}

/** The provider's API with fixed tokens (right after the code exchange, before they are saved). */
export const apiWithToken = (accessToken: string): ProviderApi =>
  providerApi(
    async () => accessToken,
    async () => {
      throw new NeedsReauth('the provider refused the token it has just issued');
    },
  );

/**
 * The provider's API as the account's connection (or `memberId`'s own): its token refreshed before
 * expiry and saved. A grant the provider refuses marks that integration `needs_reauth` (and
 * forgets its tokens); another member's connection is untouched.
 */
export function connectionApi(
  runtime: Runtime,
  accountId: string,
  connector: Connector,
  memberId: string | null = null,
): ProviderApi {
  const { db, secrets } = runtime;
  const provider = connector.provider;
  let current: TokenSet | null = null;
  const refresh = async (): Promise<string> => {
    const client = connector.oauth.client(integrationSettings(runtime));
    const tokens = current ?? (await loadTokens(db, secrets, accountId, provider, memberId));
    if (!client || !tokens?.refreshToken) return reauth('no refresh token is kept for the connection');
    try {
      current = tokensFrom(await refreshGrant(client, tokens.refreshToken), tokens.refreshToken);
    } catch (error) {
      if (error instanceof NeedsReauth) return reauth(error.message);
      throw error;
    }
    await saveTokens(db, secrets, accountId, provider, current, memberId);
    return current.accessToken;
  };
  const reauth = async (why: string): Promise<never> => {
    await forgetTokens(db, accountId, provider, memberId);
    await markIntegration(
      db,
      accountId,
      provider,
      { status: 'needs_reauth', lastError: `Connect again: ${why}`, from: ['connected', 'error'] },
      memberId,
    );
    throw new NeedsReauth(why);
  };
  const token = async (): Promise<string> => {
    current ??= await loadTokens(db, secrets, accountId, provider, memberId);
    if (!current) return reauth('the connection has no tokens');
    const expiring = current.expiresAt && current.expiresAt.getTime() - REFRESH_MARGIN_MS <= Date.now();
    return expiring ? refresh() : current.accessToken;
  };
  return providerApi(token, refresh);
}
