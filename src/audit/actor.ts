// Who made a change or read something sensitive, from the principal of the call: recorded on every
// event (its columns and `data.actor`) and on every audit entry.
import type { Principal } from '../platform/operations/principal.ts';

export const ACTOR_TYPES = ['member', 'api_key', 'oauth_app', 'automation', 'operator', 'customer', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export interface Actor {
  type: ActorType;
  /** The member (`users` row), key, OAuth client, automation rule, operator or customer; null for the system. */
  id: string | null;
  /** The member an OAuth app acts for (authorization code grant); null otherwise. */
  on_behalf_of: string | null;
}

/** The account's own work (a campaign's sending, a provider's inbound event): no credential. */
export const SYSTEM_ACTOR: Actor = { type: 'system', id: null, on_behalf_of: null };

/**
 * The actor of a call. The most specific credential wins: an automation rule's run is the rule's
 * even though it runs with stored scopes; an OAuth token is its app's, on behalf of the member who
 * granted it (the app chose to act; the member allowed it); a session is its member. Operators act
 * outside any account's principal: their entries name `{ type: 'operator', id }` themselves.
 */
export function actorOf(principal: Principal): Actor {
  if (principal.automationRuleId) return { type: 'automation', id: principal.automationRuleId, on_behalf_of: null };
  if (principal.customerId) return { type: 'customer', id: principal.customerId, on_behalf_of: null };
  if (principal.oauthClientId)
    return { type: 'oauth_app', id: principal.oauthClientId, on_behalf_of: principal.userId ?? null };
  if (principal.keyId) return { type: 'api_key', id: principal.keyId, on_behalf_of: null };
  if (principal.userId) return { type: 'member', id: principal.userId, on_behalf_of: null };
  return SYSTEM_ACTOR;
}
