// The tables webhook delivery owns besides its resources, and the trigger that fans each event
// out to the endpoints subscribed to it. The trigger runs inside the transaction that writes
// the event, so a committed change always has its deliveries queued and a rolled-back one
// never does: nothing relays events after the fact, and nothing can be skipped.
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import { DUE_NOW_SQL } from '../platform/jobs/due-now.ts';

export const WEBHOOK_CHANNEL = 'fieldline_webhooks';
/**
 * Events addressed to one endpoint (a test, an automation's call), queued by their sender and never
 * fanned out to the endpoints subscribed to every event.
 */
export const ADDRESSED_EVENT_TYPES = ['webhook.test', 'automation.webhook'] as const;
/** Every event's account id is announced here (event streams listen). */
export const EVENTS_CHANNEL = 'fieldline_events';

export const WEBHOOK_SCHEMA: readonly string[] = [
  // Signing secrets, encrypted (SecretBox). The current one has no expiry; after a rotation the
  // previous one signs too until expires_at.
  `CREATE TABLE IF NOT EXISTS webhook_endpoint_secrets (
     id text PRIMARY KEY,
     account_id text NOT NULL REFERENCES accounts (id),
     endpoint_id text NOT NULL,
     secret_sealed text NOT NULL,
     created_at timestamptz NOT NULL,
     expires_at timestamptz,
     FOREIGN KEY (account_id, endpoint_id) REFERENCES webhook_endpoints (account_id, id)
   )`,
  `CREATE INDEX IF NOT EXISTS webhook_endpoint_secrets_endpoint_idx ` +
    `ON webhook_endpoint_secrets (endpoint_id, created_at)`,
  ...rowLevelSecurity('webhook_endpoint_secrets'),
  `GRANT SELECT, INSERT, UPDATE ON webhook_endpoint_secrets TO ${TENANT_ROLE}`,
  // One row per event and endpoint: what is still to be delivered, and when to try next.
  // locked_until is a lease: a worker that dies mid-delivery loses the row when it expires.
  `CREATE TABLE IF NOT EXISTS webhook_queue (
     account_id text NOT NULL REFERENCES accounts (id),
     event_id text NOT NULL,
     endpoint_id text NOT NULL,
     status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
     attempts integer NOT NULL DEFAULT 0,
     first_attempt_at timestamptz,
     next_attempt_at timestamptz NOT NULL,
     locked_until timestamptz,
     last_error text,
     created_at timestamptz NOT NULL,
     updated_at timestamptz NOT NULL,
     PRIMARY KEY (event_id, endpoint_id)
   )`,
  // What is pending, per account and oldest first: the dispatcher's skip scan over accounts and each
  // account's claim (webhook-dispatcher.ts). It replaced (next_attempt_at), which served only one queue.
  `CREATE INDEX IF NOT EXISTS webhook_queue_account_due_idx ON webhook_queue (account_id, next_attempt_at, event_id) ` +
    `WHERE status = 'pending'`,
  `DROP INDEX IF EXISTS webhook_queue_due_idx`,
  `CREATE INDEX IF NOT EXISTS webhook_queue_endpoint_idx ON webhook_queue (endpoint_id, status, created_at)`,
  ...rowLevelSecurity('webhook_queue'),
  `GRANT SELECT, INSERT, UPDATE ON webhook_queue TO ${TENANT_ROLE}`,
  `CREATE INDEX IF NOT EXISTS webhook_endpoints_subscribers_idx ON webhook_endpoints (account_id) ` +
    `WHERE status = 'enabled' AND deleted_at IS NULL`,
  // SECURITY DEFINER: it runs for the tenant role's insert but reads every endpoint of the
  // event's own account only (the WHERE clause), never another's. A delivery is due from now to the
  // millisecond, as the dispatcher claims at a JavaScript time (due-now.ts).
  `CREATE OR REPLACE FUNCTION fieldline_enqueue_webhooks() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER ` +
    `SET search_path = public AS $fn$
   BEGIN
     IF EXISTS (SELECT 1 FROM event_listeners WHERE account_id = NEW.account_id AND until > now()) THEN
       PERFORM pg_notify('${EVENTS_CHANNEL}', NEW.account_id);
     END IF;
     IF NEW.type IN (${ADDRESSED_EVENT_TYPES.map((type) => `'${type}'`).join(', ')}) THEN RETURN NULL; END IF;
     INSERT INTO webhook_queue ` +
    `(account_id, event_id, endpoint_id, status, attempts, next_attempt_at, created_at, updated_at)
     SELECT NEW.account_id, NEW.id, e.id, 'pending', 0, ${DUE_NOW_SQL}, now(), now()
       FROM webhook_endpoints e
      WHERE e.account_id = NEW.account_id AND e.status = 'enabled' AND e.deleted_at IS NULL
        AND ('*' = ANY (e.enabled_events) OR NEW.type = ANY (e.enabled_events));
     IF FOUND THEN PERFORM pg_notify('${WEBHOOK_CHANNEL}', ''); END IF;
     RETURN NULL;
   END $fn$`,
  `DROP TRIGGER IF EXISTS events_enqueue_webhooks ON events`,
  `CREATE TRIGGER events_enqueue_webhooks AFTER INSERT ` +
    `ON events FOR EACH ROW EXECUTE FUNCTION fieldline_enqueue_webhooks()`,
  // However an endpoint is disabled or deleted (the API, a 410, days of failures), what it
  // still had pending fails with it (recover requeues it), so the due index stays clean.
  `CREATE OR REPLACE FUNCTION fieldline_stop_endpoint_deliveries() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER ` +
    `SET search_path = public AS $fn$
   BEGIN
     UPDATE webhook_queue SET status = 'failed', locked_until = NULL, updated_at = now(),
            last_error = CASE WHEN NEW.deleted_at IS NOT NULL THEN 'endpoint deleted' ELSE 'endpoint disabled' END
      WHERE endpoint_id = NEW.id AND status = 'pending';
     RETURN NULL;
   END $fn$`,
  `DROP TRIGGER IF EXISTS webhook_endpoints_stop_deliveries ON webhook_endpoints`,
  `CREATE TRIGGER webhook_endpoints_stop_deliveries AFTER UPDATE OF status, deleted_at ON webhook_endpoints
     FOR EACH ROW WHEN (NEW.status = 'disabled' OR NEW.deleted_at IS NOT NULL) ` +
    `EXECUTE FUNCTION fieldline_stop_endpoint_deliveries()`,
];
