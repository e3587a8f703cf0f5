// Who is calling: the account their credential is bound to, what it may do, and how fast.
import { PLAN_FEATURES, type Plan, type RateLimits } from '../api/traffic.ts';
import { ApiError } from '../errors.ts';

export interface Principal {
  accountId: string;
  /** The API key id, when the credential is an API key. */
  keyId?: string;
  /** A person signed in: their session, their person id and their membership (`users` row) in the account. */
  sessionId?: string;
  personId?: string;
  userId?: string;
  role?: string;
  /** An automation rule's run: it acts with the scopes its rule was saved with, and is not the account itself. */
  automationRuleId?: string;
  /** An end customer signed in to the customer portal: their customer, and the portal session. */
  customerId?: string;
  customerSessionId?: string;
  /** The address the request came from, when an operation records it (a customer's acceptance). */
  clientIp?: string;
  /** An OAuth access token: the client it was issued to (with personId/userId when a member granted it). */
  oauthClientId?: string;
  /**
   * Test mode: `accountId` is the sandbox of this live account (README "Test mode"). Absent: live
   * mode, the credential acts in the account itself.
   */
  sandboxOf?: string;
  scopes: ReadonlySet<string>;
  /** The account's plan (monthly quotas) and the credential's request rates (plan + key overrides). */
  plan: Plan;
  rates: RateLimits;
  /** Browser origins the account allows to call the API (CORS). */
  allowedOrigins: ReadonlySet<string>;
  /** Set when the account is not active (`accounts.status`): the gate refuses the credential. */
  accountStatus?: 'suspended' | 'closed';
}

/** `accountStatus` from an `accounts.status` value: absent while the account is active. */
export const accountStatusField = (status: string | null | undefined): Pick<Principal, 'accountStatus'> =>
  status === 'suspended' || status === 'closed' ? { accountStatus: status } : {};

/** The answer to every credential of a suspended or closed account (403 account_suspended). */
export function accountSuspended(status: 'suspended' | 'closed'): ApiError {
  return new ApiError(
    'account_suspended',
    status === 'closed'
      ? 'This account is closed: its credentials no longer work'
      : 'This account is suspended: contact the service operator to have it resumed',
    { account_status: status },
  );
}

/** `read:customers` is granted by itself or by `read:*`. */
export function hasScope(principal: Principal, scope: string): boolean {
  if (principal.scopes.has(scope)) return true;
  const verb = scope.slice(0, scope.indexOf(':'));
  return principal.scopes.has(`${verb}:*`);
}

/**
 * The account itself acting without a credential: background work (a campaign's sending) and
 * providers' inbound events. Its changes are the account's; it holds no scopes of its own.
 */
export const accountPrincipal = (accountId: string): Principal => ({
  accountId,
  scopes: new Set(),
  plan: UNMETERED,
  rates: UNMETERED.rates,
  allowedOrigins: new Set(),
});

/** The account's own work is never charged: it makes no calls of the API. */
const unlimited = { limit: Number.MAX_SAFE_INTEGER, windowSeconds: 60 };
const UNMETERED: Plan = {
  name: 'unmetered',
  features: PLAN_FEATURES,
  rates: { read: unlimited, write: unlimited, expensive: unlimited },
  monthlyRequests: Number.MAX_SAFE_INTEGER,
  monthlyWebhookDeliveries: Number.MAX_SAFE_INTEGER,
  monthlyAutomationRuns: Number.MAX_SAFE_INTEGER,
  monthlyAiTokens: Number.MAX_SAFE_INTEGER,
};

/**
 * What a credential's rate limits are counted against: the key, the
 * OAuth client in this account, the session, or else the account.
 */
export const rateSubject = (principal: Principal): string =>
  principal.keyId ??
  (principal.oauthClientId ? `${principal.oauthClientId}:${principal.accountId}` : undefined) ??
  principal.sessionId ??
  principal.customerSessionId ??
  principal.accountId;

/** No credential at all: the account's own background work (see accountPrincipal). */
export const isAccountItself = (principal: Principal): boolean =>
  !principal.keyId &&
  !principal.sessionId &&
  !principal.oauthClientId &&
  !principal.automationRuleId &&
  !principal.customerSessionId;
