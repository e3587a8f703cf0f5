// Fieldline billing its accounts through Stripe Billing, with the platform's key and the official
// SDK (base URL configurable, FIELDLINE_STRIPE_URL): a customer per account, a subscription on
// its plan's price plus the metered overage prices, overage reported as billing meter events
// (only what is new since the last report, each report idempotent), and invoices read from Stripe.
import type Stripe from 'stripe';
import { systemQuery, systemTransaction } from '../db/system-query.ts';
import { periodOf } from '../limits/monthly-quota.ts';
import { stripeClient, stripeMessage, type StripeApiSettings } from '../online-payments/stripe-api.ts';
import { ApiError } from '../platform/errors.ts';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { StripeBillingSettings } from './stripe-billing-settings.ts';
import type { PlanRow } from './plan-rows.ts';
import type { SubscriptionState } from './subscriptions.ts';

/** Started thousands beyond what the plan includes: the unit the metered prices charge. */
export const overageUnits = (used: number, included: number) => Math.ceil(Math.max(0, used - included) / 1000);

export interface StripeSubscriptionIds {
  customerId: string;
  subscriptionId: string | null;
}

/** One meter event sent: which account, meter and how many units. */
export interface UsageReported {
  accountId: string;
  meter: string;
  value: number;
}

const pricesOf = (plan: PlanRow) =>
  [plan.stripe_price_id, plan.stripe_requests_price_id, plan.stripe_ai_tokens_price_id].filter(
    (price): price is string => Boolean(price),
  );

export class StripeBilling {
  readonly #client: Stripe;

  constructor(
    readonly db: Database,
    readonly logger: Logger,
    readonly settings: StripeBillingSettings,
    api?: StripeApiSettings,
  ) {
    this.#client = stripeClient(settings.secretKey, api);
  }

  /**
   * Makes Stripe's subscription match `target` (before the account's plan changes: if Stripe
   * refuses, nothing here has changed). A plan without a Stripe price ends the subscription.
   */
  async subscribe(accountId: string, current: SubscriptionState, target: PlanRow): Promise<StripeSubscriptionIds> {
    try {
      const customerId = current.stripeCustomerId ?? (await this.#createCustomer(accountId));
      const prices = pricesOf(target);
      const existing = current.stripeSubscriptionId;
      if (!target.stripe_price_id) {
        if (existing) await this.#client.subscriptions.cancel(existing);
        return { customerId, subscriptionId: null };
      }
      if (!existing) {
        const created = await this.#client.subscriptions.create(
          {
            customer: customerId,
            items: prices.map((price) => ({ price })),
            metadata: { fieldline_account_id: accountId, fieldline_plan: target.name },
          },
          { idempotencyKey: `fieldline-subscribe-${accountId}-${target.name}-${current.plan.updated_at}` },
        );
        return { customerId, subscriptionId: created.id };
      }
      // Swap every item for the new plan's prices; Stripe prorates the base price.
      const subscription = await this.#client.subscriptions.retrieve(existing);
      await this.#client.subscriptions.update(existing, {
        items: [
          ...subscription.items.data.map((item) => ({ id: item.id, deleted: true })),
          ...prices.map((price) => ({ price })),
        ],
        metadata: { fieldline_account_id: accountId, fieldline_plan: target.name },
        proration_behavior: 'create_prorations',
      });
      return { customerId, subscriptionId: existing };
    } catch (error) {
      throw this.#problem(error);
    }
  }

  async #createCustomer(accountId: string): Promise<string> {
    const [account] = await systemQuery(this.db, {
      sql: 'SELECT name FROM accounts WHERE id = $1',
      parameters: [accountId],
    });
    const customer = await this.#client.customers.create(
      { name: account.name, metadata: { fieldline_account_id: accountId } },
      { idempotencyKey: `fieldline-customer-${accountId}` },
    );
    return customer.id;
  }

  /**
   * Reports each subscribed account's overage this month that Stripe has not been told of yet:
   * one meter event per account and meter, identified by the running total (a retry of the same
   * report is the same event to Stripe).
   */
  async reportUsage(now = Date.now()): Promise<UsageReported[]> {
    const period = periodOf(now);
    const rows = await systemQuery(this.db, {
      sql: `SELECT s.account_id, s.stripe_customer_id, to_jsonb(p) AS plan_row,
                   coalesce(u.requests, 0) AS requests, coalesce(u.ai_tokens, 0) AS ai_tokens,
                   coalesce(r.requests_units, 0) AS requests_units, coalesce(r.ai_token_units, 0) AS ai_token_units
              FROM billing_subscriptions s JOIN accounts a ON a.id = s.account_id JOIN plans p ON p.name = a.plan
              LEFT JOIN usage_counters u ON u.account_id = s.account_id AND u.period = $1
              LEFT JOIN billing_usage_reports r ON r.account_id = s.account_id AND r.period = $1
             WHERE s.stripe_subscription_id IS NOT NULL
             ORDER BY s.account_id`,
      parameters: [period],
    });
    const reported: UsageReported[] = [];
    for (const row of rows) {
      const plan: PlanRow = typeof row.plan_row === 'string' ? JSON.parse(row.plan_row) : row.plan_row;
      const totals = {
        requests: overageUnits(Number(row.requests), Number(plan.included_requests)),
        aiTokens: overageUnits(Number(row.ai_tokens), Number(plan.included_ai_tokens)),
      };
      const meters = [
        { meter: this.settings.meters.requests, total: totals.requests, sent: Number(row.requests_units) },
        { meter: this.settings.meters.aiTokens, total: totals.aiTokens, sent: Number(row.ai_token_units) },
      ];
      for (const { meter, total, sent } of meters) {
        if (total <= sent) continue;
        await this.#client.billing.meterEvents.create({
          event_name: meter,
          identifier: `${row.account_id}-${period}-${meter}-${total}`,
          timestamp: Math.floor(now / 1000),
          payload: { stripe_customer_id: row.stripe_customer_id, value: String(total - sent) },
        });
        reported.push({ accountId: row.account_id, meter, value: total - sent });
      }
      await systemTransaction(this.db, [
        {
          sql: `INSERT INTO billing_usage_reports (account_id, period, requests_units, ai_token_units, reported_at)
                VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (account_id, period) DO UPDATE SET requests_units = excluded.requests_units,
                  ai_token_units = excluded.ai_token_units, reported_at = excluded.reported_at`,
          parameters: [row.account_id, period, totals.requests, totals.aiTokens, new Date(now).toISOString()],
        },
      ]);
    }
    return reported;
  }

  /** The customer's invoices, newest first (at most 24). */
  async invoices(customerId: string): Promise<Stripe.Invoice[]> {
    try {
      const page = await this.#client.invoices.list({ customer: customerId, limit: 24 });
      return page.data;
    } catch (error) {
      throw this.#problem(error);
    }
  }

  /** A Stripe event posted to us, verified by its `Stripe-Signature` (throws when it does not verify). */
  verifyEvent(payload: string, signature: string): Stripe.Event {
    return this.#client.webhooks.constructEvent(payload, signature, this.settings.webhookSecret);
  }

  /** Stripe could not be reached or refused: a 503 naming Stripe's words, never the key. */
  #problem(error: unknown): unknown {
    if (error instanceof ApiError || !(error instanceof Error)) return error;
    if (!('type' in error)) return error;
    return new ApiError('service_unavailable', `Stripe Billing: ${stripeMessage(error, this.settings.secretKey)}`);
  }
}
