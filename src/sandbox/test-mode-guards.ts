// What test mode refuses outright because it would reach a real provider (README "Test mode"):
// connecting an integration (a real mailbox, a real ledger) and a live Stripe key. Mail, SMS and
// push need no refusal: their relays simulate a sandbox's messages.
import { ApiError, validationFailed } from '../platform/errors.ts';
import type { Principal } from '../platform/operations/principal.ts';

/** Integrations reach a provider's real data: a sandbox connects none. */
export function refuseConnectInTestMode(principal: Principal, title: string): void {
  if (principal.sandboxOf)
    throw new ApiError(
      'forbidden',
      `${title} cannot be connected in test mode: integrations reach real data. Connect it with a live key or ` +
        'signed in to the portal',
    );
}

/** A sandbox takes Stripe test keys only, so its payments are Stripe test payments, never real charges. */
export function refuseLiveStripeKeyInTestMode(principal: Principal, mode: 'test' | 'live'): void {
  if (principal.sandboxOf && mode === 'live')
    throw validationFailed([
      {
        path: 'secret_key',
        message: 'must be a Stripe test key (sk_test_...) in test mode: a test-mode account makes no real charges',
      },
    ]);
}
