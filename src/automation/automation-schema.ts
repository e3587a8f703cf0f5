// What automation owns besides its resources' tables: the trigger that queues an event for the
// rules waiting for its type, in the transaction that writes the event (so a committed change
// always reaches its rules, a rolled-back one never does, and matching costs no round trip),
// and the columns of runs only the engine reads. The trigger refuses what a rule's event filter
// refuses; the engine judges the rest of the conditions later, off the request. No NOTIFY: it
// takes a lock that every committing transaction waits for, which cost creates a quarter of
// their throughput in bench/automation.ts; the engine polls instead.
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';

/** Rules reacting to rules' own writes stop here: a run this many hops from a person's change fails. */
export const MAX_AUTOMATION_DEPTH = 5;
/** The transaction setting a run's steps write under, so the events they cause carry one hop more. */
export const DEPTH_SETTING = 'app.automation_depth';

export const AUTOMATION_SCHEMA: readonly string[] = [
  // One row per event and rule waiting for it, until the engine turns it into a run.
  `CREATE TABLE IF NOT EXISTS automation_triggers (
     account_id text NOT NULL REFERENCES accounts (id),
     event_id text NOT NULL,
     rule_id text NOT NULL,
     depth integer NOT NULL,
     created_at timestamptz NOT NULL,
     PRIMARY KEY (event_id, rule_id)
   )`,
  `CREATE INDEX IF NOT EXISTS automation_triggers_created_idx ON automation_triggers (created_at)`,
  ...rowLevelSecurity('automation_triggers'),
  `GRANT SELECT, UPDATE, DELETE ON automation_triggers TO ${TENANT_ROLE}`,
  // The rule's conditions as a path predicate over the event's data, as far as they can be judged
  // from it (src/automation/event-filter.ts): an event it refuses is never queued.
  `ALTER TABLE automation_rules ADD COLUMN IF NOT EXISTS event_filter jsonpath`,
  `CREATE INDEX IF NOT EXISTS automation_rules_event_idx ON automation_rules (account_id, trigger_event)
     WHERE enabled AND deleted_at IS NULL AND trigger_event IS NOT NULL`,
  // A run's lease (the worker holding it, until when) and, for schedules and dates, what it fired
  // for: one run per rule and key, however many workers look.
  `ALTER TABLE automation_runs ADD COLUMN IF NOT EXISTS lease_token text`,
  `ALTER TABLE automation_runs ADD COLUMN IF NOT EXISTS locked_until timestamptz`,
  `ALTER TABLE automation_runs ADD COLUMN IF NOT EXISTS fire_key text`,
  // The rule's actions and scopes as the run started (src/automation/run-records.ts).
  `ALTER TABLE automation_runs ADD COLUMN IF NOT EXISTS rule_snapshot jsonb`,
  `CREATE UNIQUE INDEX IF NOT EXISTS automation_runs_fire_key_idx ON automation_runs (account_id, rule_id, fire_key)
     WHERE fire_key IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS automation_runs_due_idx ON automation_runs (run_after)
     WHERE status IN ('queued', 'running', 'waiting')`,
  // SECURITY DEFINER: it runs for the tenant role's insert but reads the rules of the event's
  // own account only (the WHERE clause), never another's.
  `CREATE OR REPLACE FUNCTION fieldline_enqueue_automations() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER ` +
    `SET search_path = public AS $fn$
   DECLARE
     hops integer := coalesce(nullif(current_setting('${DEPTH_SETTING}', true), '')::integer, 0);
   BEGIN
     -- One hop past the limit is queued (its run fails, saying why); further ones are not.
     IF hops > ${MAX_AUTOMATION_DEPTH + 1} THEN RETURN NULL; END IF;
     INSERT INTO automation_triggers (account_id, event_id, rule_id, depth, created_at)
     SELECT NEW.account_id, NEW.id, r.id, hops, now() FROM automation_rules r
      WHERE r.account_id = NEW.account_id AND r.trigger_event = NEW.type
        AND r.enabled AND r.deleted_at IS NULL AND r.trigger_event IS NOT NULL
        AND (r.event_filter IS NULL OR NEW.data::jsonb @@ r.event_filter);
     RETURN NULL;
   END $fn$`,
  `DROP TRIGGER IF EXISTS events_enqueue_automations ON events`,
  `CREATE TRIGGER events_enqueue_automations AFTER INSERT ON events FOR EACH ROW ` +
    `EXECUTE FUNCTION fieldline_enqueue_automations()`,
];
