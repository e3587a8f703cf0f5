// What the server is configured with for each provider: OAuth clients (id, secret) and base URLs,
// from env (src/config.ts). A vendor's connectors share its entry (Gmail and Google Calendar use
// one Google OAuth client, each asking its own scopes). Another vendor adds its entry by
// augmenting this interface from its own folder:
//   declare module '../integration-settings.ts' { interface IntegrationSettings { microsoft?: ... } }
import type { Runtime } from '../platform/contract.ts';

/** Google: one OAuth client for every Google connector; the URLs are Google's unless configured. */
export interface GoogleSettings {
  clientId: string;
  clientSecret: string;
  /** Where people consent: https://accounts.google.com (FIELDLINE_GOOGLE_ACCOUNTS_URL). */
  accountsUrl: string;
  /** Token and revoke endpoints: https://oauth2.googleapis.com (FIELDLINE_GOOGLE_OAUTH_URL). */
  oauthUrl: string;
  /** Google's APIs: https://gmail.googleapis.com (FIELDLINE_GOOGLE_API_URL). */
  apiUrl: string;
  /** The Calendar API's host: https://www.googleapis.com (FIELDLINE_GOOGLE_CALENDAR_URL; `/calendar/v3` follows). */
  calendarUrl?: string;
}

export interface IntegrationSettings {
  google?: GoogleSettings;
  /** How often each connected integration syncs on its own (FIELDLINE_INTEGRATION_SYNC_MINUTES); default 15 min. */
  syncIntervalMs?: number;
}

export const GOOGLE_DEFAULT_URLS = {
  accountsUrl: 'https://accounts.google.com',
  oauthUrl: 'https://oauth2.googleapis.com',
  apiUrl: 'https://gmail.googleapis.com',
  calendarUrl: 'https://www.googleapis.com',
} as const;

/** A base URL without its trailing slash, so paths join with one. */
export const baseUrl = (url: string) => url.replace(/\/+$/, '');

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    /** OAuth clients and base URLs of the providers (FIELDLINE_GOOGLE_...); absent: none is configured. */
    integrations?: IntegrationSettings;
  }
}

/** The providers' settings the server runs with. */
export const integrationSettings = (runtime: Runtime): IntegrationSettings => runtime.options.integrations ?? {};
