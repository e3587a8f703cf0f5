// Google's OAuth 2.0, shared by every Google connector (Gmail now, Calendar next): one OAuth
// client from server configuration (FIELDLINE_GOOGLE_CLIENT_ID / _SECRET), each connector asking
// its own scopes. Offline access with consent, so Google issues a refresh token; PKCE S256.
// https://developers.google.com/identity/protocols/oauth2/web-server
import { z } from 'zod';
import type { ConnectorOAuth, OAuthClient } from '../connector.ts';
import { baseUrl, type IntegrationSettings } from '../integration-settings.ts';
import { callProvider } from '../provider-api.ts';

export function googleClient(settings: IntegrationSettings): OAuthClient | null {
  const google = settings.google;
  if (!google?.clientId || !google.clientSecret) return null;
  return {
    clientId: google.clientId,
    clientSecret: google.clientSecret,
    authorizeUrl: `${baseUrl(google.accountsUrl)}/o/oauth2/v2/auth`,
    tokenUrl: `${baseUrl(google.oauthUrl)}/token`,
    revokeUrl: `${baseUrl(google.oauthUrl)}/revoke`,
  };
}

/** A Google connector's OAuth: Google's client, these scopes. */
export const googleOAuth = (scopes: readonly string[]): ConnectorOAuth => ({
  client: googleClient,
  scopes,
  pkce: true,
  authorizeParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
});

/** Revokes a token (Google revokes the whole grant, refresh token included). */
export async function revokeGoogleToken(token: string, client: OAuthClient): Promise<void> {
  if (!client.revokeUrl) return;
  await callProvider(client.revokeUrl, z.unknown(), { form: { token } });
}

/** Google's API base (Gmail's host unless configured). */
export const googleApiUrl = (settings: IntegrationSettings) =>
  baseUrl(settings.google?.apiUrl ?? 'https://gmail.googleapis.com');
