// Which kind of credential a principal came from, as the request log records it: integrations
// (API keys, OAuth apps) apart from people's own sessions (the developer portal's calls), the
// customer portal, and requests no credential made (a provider's verified webhook).
import type { Principal } from './principal.ts';

export const CREDENTIAL_KINDS = ['api_key', 'oauth', 'session', 'customer', 'none'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** What integrations use: the request log's and usage's default view in the portal. */
export const INTEGRATION_CREDENTIALS: readonly CredentialKind[] = ['api_key', 'oauth'];

/** An OAuth token may carry the person who granted it: it is still the app's call, so it is checked first. */
export function credentialKindOf(principal: Principal): CredentialKind {
  if (principal.keyId) return 'api_key';
  if (principal.oauthClientId) return 'oauth';
  if (principal.customerSessionId || principal.customerId) return 'customer';
  if (principal.sessionId) return 'session';
  return 'none';
}
