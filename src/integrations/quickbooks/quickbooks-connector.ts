// QuickBooks Online: a company connected with Intuit's OAuth 2.0 (the callback names it as
// `realmId`; identity = its CompanyName). Its `accounting` sync pushes our customers, invoices and
// payments and pulls the payments recorded in QuickBooks (qbo-sync.ts); DELETE revokes the grant
// at Intuit. Conflict rules: README, Integrations > QuickBooks Online.
import { defineConnector, type OAuthClient } from '../connector.ts';
import type { IntegrationSettings } from '../integration-settings.ts';
import { NeedsReauth } from '../provider-api.ts';
import { REALM_ID } from './qbo-client.ts';
import { asProviderError, clientFor, settingsOf } from './qbo-connection.ts';
import { QBO_SCOPE, revokeAt } from './qbo-oauth.ts';
import { PROVIDER } from './qbo-records.ts';
import { accountingSync } from './qbo-sync.ts';

/** Intuit's client and endpoints from server configuration; null without a client id and secret. */
export function quickBooksClient(settings: IntegrationSettings): OAuthClient | null {
  const qbo = settingsOf(settings);
  if (!qbo.clientId || !qbo.clientSecret) return null;
  return {
    clientId: qbo.clientId,
    clientSecret: qbo.clientSecret,
    authorizeUrl: qbo.authorizeUrl,
    tokenUrl: `${qbo.oauthUrl}/oauth2/v1/tokens/bearer`,
    revokeUrl: `${qbo.oauthUrl}/oauth2/v1/tokens/revoke`,
    // Intuit authenticates clients with HTTP Basic only.
    authMethod: 'client_secret_basic',
  };
}

export const quickBooksConnector = defineConnector({
  provider: PROVIDER,
  title: 'QuickBooks Online',
  description:
    'A QuickBooks Online company: customers, sent invoices (with tax) and payments pushed to it, ' +
    'payments recorded in QuickBooks pulled back onto their invoices.',
  // Intuit does not take PKCE; the framework's single-use state still guards the callback.
  oauth: { client: quickBooksClient, scopes: [QBO_SCOPE], pkce: false },
  async identity(api, settings, callback) {
    const realmId = callback?.realmId;
    if (!realmId || !REALM_ID.test(realmId))
      throw new NeedsReauth('Intuit did not say which company was connected (no realmId in the callback)');
    try {
      const company = await clientFor(settingsOf(settings), api, realmId).companyInfo();
      return { identity: company.companyName, externalAccountId: realmId };
    } catch (error) {
      throw asProviderError(error);
    }
  },
  async revoke(token, client) {
    if (!client.revokeUrl) return;
    await revokeAt(
      { url: client.revokeUrl, clientId: client.clientId, clientSecret: client.clientSecret },
      token,
    ).catch((error) => Promise.reject(asProviderError(error)));
  },
  syncs: { accounting: accountingSync },
});
