// Whose traffic the request log and usage show: integrations (API keys and OAuth apps) by
// default, so the portal's own calls (a person's session, the pages you are reading) do not
// drown a newcomer's first requests; `?traffic=all` in the page's URL includes them.

export type TrafficChoice = 'integrations' | 'all';

/** The request log's `credential` kinds integrations use. */
export const INTEGRATION_CREDENTIALS = 'api_key,oauth';

export const trafficFrom = (params: URLSearchParams): TrafficChoice =>
  params.get('traffic') === 'all' ? 'all' : 'integrations';

/** GET /v1/usage and /v1/errors parameters of a choice. */
export const usageCredential = (traffic: TrafficChoice): { credential?: string } =>
  traffic === 'all' ? {} : { credential: INTEGRATION_CREDENTIALS };

/** GET /v1/request-logs parameters of a choice. */
export const logsCredential = (traffic: TrafficChoice): Record<string, string> =>
  traffic === 'all' ? {} : { 'credential[in]': INTEGRATION_CREDENTIALS };

export const INCLUDE_PORTAL_LABEL = "Include the portal's own calls";
export const INCLUDE_PORTAL_HINT =
  'Requests made with a signed-in session (this portal, or a session token) and by customer portal sessions. ' +
  'Shown: API keys and OAuth apps only.';

/** How the log names a request's credential when it had no key. */
export const CREDENTIAL_LABELS: Record<string, string> = {
  oauth: 'OAuth app',
  session: 'Session (portal)',
  customer: 'Customer portal',
  none: 'No credential',
};
