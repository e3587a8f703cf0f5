// Intuit's OAuth 2.0 for QuickBooks Online: the consent URL (state required; Intuit does not ask
// for PKCE), the token endpoint (authorization_code and refresh_token grants, client
// authenticated with HTTP Basic), and revocation. The callback names the company as `realmId`.
import { z } from 'zod';
import { QuickBooksError } from './qbo-errors.ts';
import { exchange } from './qbo-http.ts';
import type { QuickBooksSettings } from './qbo-settings.ts';

export const QBO_SCOPE = 'com.intuit.quickbooks.accounting';
const MAX_BYTES = 64 * 1024;

export interface QboTokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token stops working (Intuit: one hour). */
  expiresAt: Date;
  /** When the refresh token does (Intuit: about 100 days, moved on by each refresh). */
  refreshExpiresAt: Date | null;
}

const TokenAnswer = z.object({
  access_token: z.string().min(1).max(4096),
  refresh_token: z.string().min(1).max(4096),
  token_type: z.string().regex(/^bearer$/i),
  expires_in: z.number().int().positive(),
  x_refresh_token_expires_in: z.number().int().positive().optional(),
});

/** Where the user is sent to pick a company and consent. */
export function authorizationUrl(settings: QuickBooksSettings, redirectUri: string, state: string): string {
  const url = new URL(settings.authorizeUrl);
  url.searchParams.set('client_id', requireClient(settings).clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', QBO_SCOPE);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('state', state);
  return url.toString();
}

function requireClient(settings: QuickBooksSettings) {
  if (!settings.clientId || !settings.clientSecret)
    throw new QuickBooksError(
      'invalid_client',
      'QuickBooks is not configured on this server: set FIELDLINE_QUICKBOOKS_CLIENT_ID and _SECRET',
    );
  return { clientId: settings.clientId, clientSecret: settings.clientSecret };
}

const basic = (settings: QuickBooksSettings) => {
  const { clientId, clientSecret } = requireClient(settings);
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
};

async function tokenRequest(settings: QuickBooksSettings, form: Record<string, string>): Promise<QboTokens> {
  const answer = await exchange({
    method: 'POST',
    url: `${settings.oauthUrl}/oauth2/v1/tokens/bearer`,
    headers: {
      authorization: basic(settings),
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(form).toString(),
    maxBytes: MAX_BYTES,
    timeoutMs: settings.timeoutMs,
  });
  if (answer.status !== 200) {
    const error = String((answer.body as { error?: unknown } | undefined)?.error ?? `status ${answer.status}`);
    if (error === 'invalid_grant')
      throw new QuickBooksError('invalid_grant', 'Intuit refused the grant (invalid_grant): connect QuickBooks again', {
        status: answer.status,
      });
    if (error === 'invalid_client' || answer.status === 401)
      throw new QuickBooksError('invalid_client', `Intuit refused this server's client credentials (${error})`, {
        status: answer.status,
      });
    const kind = answer.status >= 500 || answer.status === 429 ? 'unavailable' : 'fault';
    throw new QuickBooksError(kind, `Intuit's token endpoint answered ${answer.status} (${error.slice(0, 100)})`, {
      status: answer.status,
    });
  }
  const parsed = TokenAnswer.safeParse(answer.body);
  if (!parsed.success) throw new QuickBooksError('malformed', "Intuit's token answer is not a bearer token set");
  const now = Date.now();
  return {
    accessToken: parsed.data.access_token,
    refreshToken: parsed.data.refresh_token,
    expiresAt: new Date(now + parsed.data.expires_in * 1000),
    refreshExpiresAt: parsed.data.x_refresh_token_expires_in
      ? new Date(now + parsed.data.x_refresh_token_expires_in * 1000)
      : null,
  };
}

/** The callback's `code` for tokens (the same redirect URI as the consent URL's). */
export const exchangeCode = (settings: QuickBooksSettings, code: string, redirectUri: string) =>
  tokenRequest(settings, { grant_type: 'authorization_code', code, redirect_uri: redirectUri });

/** A fresh access token; Intuit may answer a new refresh token too, which replaces the old. */
export const refreshTokens = (settings: QuickBooksSettings, refreshToken: string) =>
  tokenRequest(settings, { grant_type: 'refresh_token', refresh_token: refreshToken });

/** Revokes the grant (a refresh token revokes the access tokens with it). */
export const revokeToken = (settings: QuickBooksSettings, token: string): Promise<void> => {
  const { clientId, clientSecret } = requireClient(settings);
  const url = `${settings.oauthUrl}/oauth2/v1/tokens/revoke`;
  return revokeAt({ url, clientId, clientSecret, timeoutMs: settings.timeoutMs }, token);
};

/** The revoke call itself: JSON `{"token"}`, the client in HTTP Basic. */
export async function revokeAt(
  endpoint: { url: string; clientId: string; clientSecret: string; timeoutMs?: number },
  token: string,
): Promise<void> {
  const answer = await exchange({
    method: 'POST',
    url: endpoint.url,
    headers: {
      authorization: `Basic ${Buffer.from(`${endpoint.clientId}:${endpoint.clientSecret}`).toString('base64')}`,
      accept: 'application/json',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ token }),
    maxBytes: MAX_BYTES,
    timeoutMs: endpoint.timeoutMs ?? 20_000,
  });
  // 400 for a token already gone: revoked is what we wanted.
  if (answer.status !== 200 && answer.status !== 400)
    throw new QuickBooksError('unavailable', `Intuit's revoke endpoint answered ${answer.status}`, {
      status: answer.status,
    });
}
