// The vocabulary of traffic control that every credential carries: buckets, rates, plans, and
// what a rate check decides.

/** Reads, writes and the routes that cost the database most (export, bulk, search) are limited separately. */
export const RATE_BUCKETS = ['read', 'write', 'expensive'] as const;
export type RateBucket = (typeof RATE_BUCKETS)[number];

export interface RatePolicy {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in seconds. */
  windowSeconds: number;
}

export type RateLimits = Record<RateBucket, RatePolicy>;

/** Capabilities a plan may leave out; each is checked where it is entered (the operation's `feature`). */
export const PLAN_FEATURES = ['automations', 'ai', 'integrations', 'customer_portal'] as const;
export type PlanFeature = (typeof PLAN_FEATURES)[number];

/** What an account's plan allows, as a credential carries it (the `plans` table, src/billing/plan-rows.ts). */
export interface Plan {
  name: string;
  /** The capabilities that are on. */
  features: readonly PlanFeature[];
  rates: RateLimits;
  /** Requests per calendar month (UTC). */
  monthlyRequests: number;
  /** Webhook deliveries per calendar month (UTC). */
  monthlyWebhookDeliveries: number;
  /** Automation runs (rules' and workflows') started per calendar month (UTC). */
  monthlyAutomationRuns: number;
  /** LLM tokens (input and output together) per calendar month (UTC): AI drafts, voice commands. */
  monthlyAiTokens: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (rounded up, at least 1 while anything is counted). */
  resetSeconds: number;
  windowSeconds: number;
}
