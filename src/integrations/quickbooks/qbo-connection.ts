// A QuickBooks client for one connected account, on the framework's connection: its access token
// from the framework's token store (refreshed and saved there), its company from the integration's
// external account id (the realmId of the callback). Our client's failures become the framework's:
// throttling pauses the run, outages retry it, a refused grant asks the person to connect again.
import type { Runtime } from '../../platform/contract.ts';
import type { IntegrationSettings } from '../integration-settings.ts';
import { readIntegration } from '../integration-rows.ts';
import {
  NeedsReauth,
  ProviderAnswerInvalid,
  ProviderRateLimited,
  ProviderRefused,
  ProviderUnavailable,
  type ProviderApi,
} from '../provider-api.ts';
import { z } from 'zod';
import { QuickBooksClient } from './qbo-client.ts';
import { QuickBooksError } from './qbo-errors.ts';
import { quickBooksSettings, type QuickBooksSettings } from './qbo-settings.ts';
import { PROVIDER } from './qbo-records.ts';

declare module '../integration-settings.ts' {
  interface IntegrationSettings {
    /** QuickBooks Online (FIELDLINE_QUICKBOOKS_*); absent or without a client id: not offered. */
    quickbooks?: Partial<QuickBooksSettings>;
  }
}

export const settingsOf = (settings: IntegrationSettings): QuickBooksSettings =>
  quickBooksSettings(settings.quickbooks ?? {});

/** A client acting through the framework's `api` for the company `realmId`. */
export function clientFor(settings: QuickBooksSettings, api: ProviderApi, realmId: string): QuickBooksClient {
  const companyInfoUrl = `${settings.apiUrl}/v3/company/${realmId}/companyinfo/${realmId}`;
  return new QuickBooksClient(settings, realmId, {
    current: () => api.accessToken(),
    // The framework refreshes (and saves) the token when a call through it answers 401.
    async renew() {
      await api.json(companyInfoUrl, z.unknown(), { query: { minorversion: settings.minorVersion } });
      return api.accessToken();
    },
  });
}

/** The connected company of the account (the callback's realmId, kept as the external account id). */
export async function connectedRealm(runtime: Runtime, accountId: string): Promise<string> {
  const integration = await readIntegration(runtime.db, accountId, PROVIDER);
  const realmId = integration?.external_account_id;
  if (typeof realmId !== 'string' || !realmId) throw new NeedsReauth('no QuickBooks company is connected');
  return realmId;
}

/** Our client's failure as the framework's (which decides pause, retry, reauth or error). */
export function asProviderError(error: unknown): unknown {
  if (!(error instanceof QuickBooksError)) return error;
  switch (error.kind) {
    case 'throttled':
      return new ProviderRateLimited(error.details.retryAfterMs ?? 60_000);
    case 'unavailable':
      return new ProviderUnavailable(error.message);
    case 'malformed':
      return new ProviderAnswerInvalid(error.message);
    case 'invalid_grant':
    case 'unauthorized':
      return new NeedsReauth(error.message);
    default:
      return new ProviderRefused(error.details.status ?? 400, error.message);
  }
}
