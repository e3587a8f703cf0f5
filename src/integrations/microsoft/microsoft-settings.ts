// Where Fieldline finds Microsoft: the identity platform and Graph base URLs (a local stand-in in
// development and tests), the app registration's client id and secret, and the tenant; and the
// OAuth client the integrations framework connects with (authorization code + PKCE, v2.0).
import type { OAuthClient } from '../connector.ts';
import { baseUrl, type IntegrationSettings } from '../integration-settings.ts';

export interface MicrosoftSettings {
  clientId: string;
  clientSecret: string;
  /** https://login.microsoftonline.com (FIELDLINE_MICROSOFT_LOGIN_URL). */
  loginUrl: string;
  /** https://graph.microsoft.com (FIELDLINE_MICROSOFT_GRAPH_URL); calls add `/v1.0`. */
  graphUrl: string;
  /** `common` (work and personal accounts), `organizations`, `consumers`, or a tenant id or domain
   *  (FIELDLINE_MICROSOFT_TENANT). */
  tenant: string;
}

declare module '../integration-settings.ts' {
  interface IntegrationSettings {
    microsoft?: MicrosoftSettings;
  }
}

export const MICROSOFT_DEFAULTS = {
  loginUrl: 'https://login.microsoftonline.com',
  graphUrl: 'https://graph.microsoft.com',
  tenant: 'common',
} as const;

/** The delegated permissions asked for: mail now, the calendar for technicians' scheduled jobs. */
export const MICROSOFT_SCOPES = ['offline_access', 'User.Read', 'Mail.ReadWrite', 'Mail.Send', 'Calendars.ReadWrite'];

/** The identity platform v2.0 endpoints of the configured tenant; null when the server has no Microsoft client. */
export function microsoftOAuthClient(settings: IntegrationSettings): OAuthClient | null {
  const microsoft = settings.microsoft;
  if (!microsoft) return null;
  const endpoints = `${baseUrl(microsoft.loginUrl)}/${encodeURIComponent(microsoft.tenant)}/oauth2/v2.0`;
  // No revokeUrl: Microsoft has no token revocation endpoint; disconnecting forgets the tokens.
  return {
    clientId: microsoft.clientId,
    clientSecret: microsoft.clientSecret,
    authorizeUrl: `${endpoints}/authorize`,
    tokenUrl: `${endpoints}/token`,
  };
}

/** Graph v1.0's base for the configured server (settings present: the connector was connected with them). */
export function graphBase(settings: IntegrationSettings): string {
  return `${baseUrl(settings.microsoft?.graphUrl ?? MICROSOFT_DEFAULTS.graphUrl)}/v1.0`;
}
