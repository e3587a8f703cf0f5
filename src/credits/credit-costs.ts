// What metered features cost in credits, and the 402 an account gets when its balance is short.
// Costs are server settings (FIELDLINE_CREDITS_PER_SMS_SEGMENT, FIELDLINE_AI_TOKENS_PER_CREDIT).
import type { RuntimeOptions } from '../platform/contract.ts';
import { ApiError } from '../platform/errors.ts';
import type { Principal } from '../platform/operations/principal.ts';
import { actorOf as auditActorOf } from '../audit/actor.ts';

export interface CreditSettings {
  /** Credits one SMS segment costs (default 1). */
  perSmsSegment: number;
  /** LLM tokens (input + output) one credit buys (default 1,000). */
  aiTokensPerCredit: number;
  /** What one credit costs when topped up, in `currency`'s minor unit (default 1: a cent a credit). */
  unitPrice: number;
  /** Lowercase ISO 4217, as Stripe writes it (default `usd`). */
  currency: string;
  /** The platform's own Stripe account that takes top-ups; absent: top-ups are not offered. */
  stripe?: { secretKey: string; webhookSecret: string };
}

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    credits?: Partial<CreditSettings>;
  }
}

export const TOP_UP_PATH = '/v1/billing/credits/top-up';

export function creditSettings(options: RuntimeOptions): CreditSettings {
  return { perSmsSegment: 1, aiTokensPerCredit: 1_000, unitPrice: 1, currency: 'usd', ...options.credits };
}

/** An LLM call's cost: at least one credit, then one per `aiTokensPerCredit` tokens started. */
export const aiCallCost = (settings: CreditSettings, tokens: number) =>
  Math.max(1, Math.ceil(tokens / settings.aiTokensPerCredit));

/** 402 `payment_required`: what the balance holds, what the call needs, and where to top up. */
export function paymentRequired(
  options: RuntimeOptions,
  what: string,
  shortfall: { balance: number; required: number },
): ApiError {
  return new ApiError(
    'payment_required',
    `The account's credit balance is ${shortfall.balance}, and ${what} needs ${shortfall.required}: nothing was ` +
      `sent or charged. Top up with POST ${TOP_UP_PATH} (owners and admins) or ask the platform's operator.`,
    {
      balance: shortfall.balance,
      required: shortfall.required,
      top_up_url: `${options.publicUrl}${TOP_UP_PATH}`,
    },
  );
}

/** Who a ledger entry names as having caused it, as the audit trail names actors: `api_key:key_...`, `system`. */
export function actorOf(principal: Principal): string {
  const actor = auditActorOf(principal);
  return actor.id ? `${actor.type}:${actor.id}` : actor.type;
}

/** Work nobody waits on (campaigns, automations, notifications): a short balance fails the message, not a request. */
export const isBackground = (principal: Principal): boolean =>
  Boolean(principal.automationRuleId) ||
  (!principal.keyId && !principal.sessionId && !principal.oauthClientId && !principal.customerSessionId);
