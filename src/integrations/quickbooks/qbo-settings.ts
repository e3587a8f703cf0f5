// Where Intuit is and who we are to it: server configuration (FIELDLINE_QUICKBOOKS_*), with
// Intuit's production addresses as defaults; a local stand-in replaces them in tests.

export interface QuickBooksSettings {
  /** Token and revoke endpoints' origin (FIELDLINE_QUICKBOOKS_OAUTH_URL). */
  oauthUrl: string;
  /** The consent page (FIELDLINE_QUICKBOOKS_AUTHORIZE_URL). */
  authorizeUrl: string;
  /** The Accounting API's origin (FIELDLINE_QUICKBOOKS_API_URL). */
  apiUrl: string;
  clientId?: string;
  clientSecret?: string;
  /** The API's minor version sent with every call (Intuit supports 75 and later). */
  minorVersion: number;
  timeoutMs: number;
  /** Longest Retry-After a sync waits in place; a longer one ends the run, resumed later. */
  maxThrottleWaitMs: number;
}

export const DEFAULT_QUICKBOOKS_SETTINGS: QuickBooksSettings = {
  oauthUrl: 'https://oauth.platform.intuit.com',
  authorizeUrl: 'https://appcenter.intuit.com/connect/oauth2',
  apiUrl: 'https://quickbooks.api.intuit.com',
  minorVersion: 75,
  timeoutMs: 20_000,
  maxThrottleWaitMs: 10_000,
};

/** Settings with every URL stripped of a trailing slash. */
export function quickBooksSettings(overrides: Partial<QuickBooksSettings> = {}): QuickBooksSettings {
  const merged = { ...DEFAULT_QUICKBOOKS_SETTINGS, ...overrides };
  const trim = (url: string) => url.replace(/\/+$/, '');
  return {
    ...merged,
    oauthUrl: trim(merged.oauthUrl),
    authorizeUrl: trim(merged.authorizeUrl),
    apiUrl: trim(merged.apiUrl),
  };
}
