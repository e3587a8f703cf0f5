// A queued webhook delivery as a worker claims it (src/webhooks/webhook-dispatcher.ts): the queue
// row, its event, its endpoint and what the attempt needs to be judged.
import type { PlanRow } from '../billing/plan-rows.ts';
export interface ClaimedDelivery {
  account_id: string;
  event_id: string;
  endpoint_id: string;
  attempts: number;
  first_attempt_at: string;
  /** When this attempt began. */
  claimed_at: string;
  /** This worker's lease; the row is only ours to update while it still holds it. */
  lease: string;
  type: string;
  data: Record<string, unknown>;
  event_created_at: string;
  url: string;
  api_version: string | null;
  failing_since: string | null;
  secrets: string[];
  /** False when the account is a sandbox (test mode); the payload says so. */
  livemode: boolean;
  /** The account's plan, for the delivery quota. */
  plan: PlanRow;
}
