// Facts the analytics read from a job's own row instead of probing other rows per job: its time
// on site (closed time entries), when its customer's next job was created after it was
// completed (the first-time fix, for any window of days) and when the customer's previous
// completed job was completed (repeat customers: a completion with one before it). Triggers keep them in the same
// transaction as every write, whichever path it takes (API, import, action, SQL); columns the
// API never shows (serialisers and statements list declared columns only).
//
// Added with the resources' own schema (after every table exists). Existing rows get their facts
// once, when the columns are added; `backfillJobFacts` is that statement, also run by the
// benchmark after COPY with the triggers off.
import type { ResourceDefinition } from '../platform/contract.ts';
import { withSchema } from './analytics-indexes.ts';
import { lockKeys, lockRowKeys, plpgsql } from './facts-sql.ts';

/** The first job of `j`'s customer created after `j` was completed (others than `j`, live ones). */
const nextJobCreated = (j: string) => `(SELECT min(f.created_at) FROM jobs f
   WHERE f.account_id = ${j}.account_id AND f.customer_id = ${j}.customer_id AND f.id <> ${j}.id
     AND f.deleted_at IS NULL AND f.created_at > ${j}.completed_at)`;

/** Minutes of a job's closed time entries; NULL when it has none (as sum() over no rows). */
const onSiteMinutes = (account: string, job: string) => `(SELECT sum(t.duration_minutes)::integer FROM time_entries t
   WHERE t.account_id = ${account} AND t.job_id = ${job} AND t.status = 'closed')`;

/**
 * When the customer's completed job before `j` was completed (others than `j`, live ones, ordered by
 * completion then id, so two completions at one instant still make the later id a repeat).
 */
const previousCompletion = (j: string) => `(SELECT max(f.completed_at) FROM jobs f
   WHERE f.account_id = ${j}.account_id AND f.customer_id = ${j}.customer_id AND f.id <> ${j}.id
     AND f.deleted_at IS NULL AND f.completed_at IS NOT NULL
     AND (f.completed_at < ${j}.completed_at OR (f.completed_at = ${j}.completed_at AND f.id < ${j}.id)))`;

/** Every job's facts from the base rows, in one set-based statement (each row rewritten once). */
const backfillOnSiteAndNextJob = [
  `UPDATE jobs j SET on_site_minutes = facts.on_site_minutes, next_job_created_at = facts.next_job_created_at
     FROM (SELECT j.account_id, j.id, t.minutes AS on_site_minutes,
                  CASE WHEN j.completed_at IS NOT NULL THEN ${nextJobCreated('j')} END AS next_job_created_at
             FROM jobs j
             LEFT JOIN (SELECT account_id, job_id, sum(duration_minutes)::integer AS minutes FROM time_entries
                         WHERE status = 'closed' AND job_id IS NOT NULL GROUP BY account_id, job_id) t
               ON t.account_id = j.account_id AND t.job_id = j.id) facts
    WHERE j.account_id = facts.account_id AND j.id = facts.id
      AND (facts.on_site_minutes IS NOT NULL OR facts.next_job_created_at IS NOT NULL)`,
];

/** The previous completion: a window over live jobs, then the few deleted completed jobs one by one. */
const backfillPreviousCompletion = [
  `UPDATE jobs j SET previous_completed_at = p.previous
     FROM (SELECT account_id, id,
                  lag(completed_at) OVER (PARTITION BY account_id, customer_id ORDER BY completed_at, id) AS previous
             FROM jobs WHERE completed_at IS NOT NULL AND deleted_at IS NULL AND customer_id IS NOT NULL) p
    WHERE j.account_id = p.account_id AND j.id = p.id AND p.previous IS NOT NULL`,
  `UPDATE jobs j SET previous_completed_at = ${previousCompletion('j')}
    WHERE j.completed_at IS NOT NULL AND j.deleted_at IS NOT NULL`,
];

export const backfillJobFacts = [...backfillOnSiteAndNextJob, ...backfillPreviousCompletion];

const jobStatements = [
  `DO $do$ BEGIN
     IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                     WHERE table_schema = current_schema() AND table_name = 'jobs'
                       AND column_name = 'on_site_minutes') THEN
       ALTER TABLE jobs ADD COLUMN on_site_minutes integer, ADD COLUMN next_job_created_at timestamptz;
       ${backfillOnSiteAndNextJob.join(';\n')};
     END IF;
     IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                     WHERE table_schema = current_schema() AND table_name = 'jobs'
                       AND column_name = 'previous_completed_at') THEN
       ALTER TABLE jobs ADD COLUMN previous_completed_at timestamptz;
       ${backfillPreviousCompletion.join(';\n')};
     END IF;
   END $do$`,
  // A job completed (or moved to another customer) looks for its customer's next job.
  plpgsql(
    'fieldline_job_facts_own',
    `IF NEW.completed_at IS NULL THEN
       NEW.next_job_created_at := NULL;
       NEW.previous_completed_at := NULL;
     ELSIF TG_OP = 'INSERT' THEN
       ${lockKeys('NEW.account_id || NEW.customer_id')}
       NEW.next_job_created_at := ${nextJobCreated('NEW')};
       NEW.previous_completed_at := ${previousCompletion('NEW')};
     ELSIF NEW.completed_at IS DISTINCT FROM OLD.completed_at OR NEW.customer_id IS DISTINCT FROM OLD.customer_id THEN
       ${lockKeys('OLD.account_id || OLD.customer_id', 'NEW.account_id || NEW.customer_id')}
       NEW.next_job_created_at := ${nextJobCreated('NEW')};
       NEW.previous_completed_at := ${previousCompletion('NEW')};
     END IF;
     RETURN NEW;`,
  ),
  `CREATE OR REPLACE TRIGGER jobs_facts_own BEFORE INSERT OR UPDATE OF completed_at, customer_id ON jobs
     FOR EACH ROW EXECUTE FUNCTION fieldline_job_facts_own()`,
  // A job created (or deleted, restored, moved, erased) is, or stops being, the next job of the customer's
  // jobs completed before it. Only the rows it concerns are touched; setting the fact itself
  // fires neither trigger, so nothing cascades.
  plpgsql(
    'fieldline_job_facts_others',
    `${lockRowKeys((row) => `${row}.account_id || ${row}.customer_id`)}
     IF TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL THEN
       UPDATE jobs j SET next_job_created_at = ${nextJobCreated('j')}
        WHERE j.account_id = OLD.account_id AND j.customer_id = OLD.customer_id AND j.id <> OLD.id
          AND j.next_job_created_at = OLD.created_at;
     END IF;
     IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL THEN
       UPDATE jobs j SET next_job_created_at = NEW.created_at
        WHERE j.account_id = NEW.account_id AND j.customer_id = NEW.customer_id AND j.id <> NEW.id
          AND j.completed_at < NEW.created_at
          AND (j.next_job_created_at IS NULL OR j.next_job_created_at > NEW.created_at);
     END IF;
     RETURN NULL;`,
  ),
  `CREATE OR REPLACE TRIGGER jobs_facts_others AFTER INSERT OR DELETE ON jobs
     FOR EACH ROW EXECUTE FUNCTION fieldline_job_facts_others()`,
  `CREATE OR REPLACE TRIGGER jobs_facts_others_changed AFTER UPDATE OF customer_id, created_at, deleted_at ON jobs
     FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id
                        OR OLD.created_at IS DISTINCT FROM NEW.created_at
                        OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
     EXECUTE FUNCTION fieldline_job_facts_others()`,
  // A live completion (added, removed, moved in time or to another customer) is, or stops being,
  // the previous completion of the customer's jobs completed after it.
  plpgsql(
    'fieldline_job_facts_previous',
    `${lockRowKeys((row) => `${row}.account_id || ${row}.customer_id`)}
     IF TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL AND OLD.completed_at IS NOT NULL THEN
       UPDATE jobs j SET previous_completed_at = ${previousCompletion('j')}
        WHERE j.account_id = OLD.account_id AND j.customer_id = OLD.customer_id AND j.id <> OLD.id
          AND j.completed_at IS NOT NULL AND j.previous_completed_at = OLD.completed_at;
     END IF;
     IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL AND NEW.completed_at IS NOT NULL THEN
       UPDATE jobs j SET previous_completed_at = NEW.completed_at
        WHERE j.account_id = NEW.account_id AND j.customer_id = NEW.customer_id AND j.id <> NEW.id
          AND (j.completed_at > NEW.completed_at OR (j.completed_at = NEW.completed_at AND j.id > NEW.id))
          AND (j.previous_completed_at IS NULL OR j.previous_completed_at < NEW.completed_at);
     END IF;
     RETURN NULL;`,
  ),
  `CREATE OR REPLACE TRIGGER jobs_facts_previous AFTER INSERT OR DELETE ON jobs
     FOR EACH ROW EXECUTE FUNCTION fieldline_job_facts_previous()`,
  `CREATE OR REPLACE TRIGGER jobs_facts_previous_changed AFTER UPDATE OF customer_id, completed_at, deleted_at ON jobs
     FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id
                        OR OLD.completed_at IS DISTINCT FROM NEW.completed_at
                        OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
     EXECUTE FUNCTION fieldline_job_facts_previous()`,
  // Completed jobs of a period with every figure the jobs and customers analytics read, from the
  // index alone.
  `DROP INDEX IF EXISTS jobs_completed_facts_idx`,
  `CREATE INDEX IF NOT EXISTS jobs_completed_figures_idx ON jobs (account_id, completed_at)
     INCLUDE (customer_id, technician_id, priority, scheduled_start, on_site_minutes, next_job_created_at,
              previous_completed_at)
     WHERE status = 'completed' AND deleted_at IS NULL`,
];

const timeEntryStatements = [
  plpgsql(
    'fieldline_time_entry_facts',
    `${lockRowKeys((row) => `${row}.account_id || ${row}.job_id`)}
     IF TG_OP <> 'INSERT' AND OLD.job_id IS NOT NULL THEN
       UPDATE jobs SET on_site_minutes = ${onSiteMinutes('OLD.account_id', 'OLD.job_id')}
        WHERE account_id = OLD.account_id AND id = OLD.job_id;
     END IF;
     IF TG_OP <> 'DELETE' AND NEW.job_id IS NOT NULL
        AND (TG_OP = 'INSERT' OR NEW.job_id IS DISTINCT FROM OLD.job_id) THEN
       UPDATE jobs SET on_site_minutes = ${onSiteMinutes('NEW.account_id', 'NEW.job_id')}
        WHERE account_id = NEW.account_id AND id = NEW.job_id;
     END IF;
     RETURN NULL;`,
  ),
  `CREATE OR REPLACE TRIGGER time_entries_facts_added AFTER INSERT ON time_entries
     FOR EACH ROW WHEN (NEW.status = 'closed' AND NEW.job_id IS NOT NULL)
     EXECUTE FUNCTION fieldline_time_entry_facts()`,
  `CREATE OR REPLACE TRIGGER time_entries_facts_removed AFTER DELETE ON time_entries
     FOR EACH ROW WHEN (OLD.status = 'closed' AND OLD.job_id IS NOT NULL)
     EXECUTE FUNCTION fieldline_time_entry_facts()`,
  `CREATE OR REPLACE TRIGGER time_entries_facts_changed AFTER UPDATE OF job_id, status, duration_minutes ON time_entries
     FOR EACH ROW WHEN (OLD.job_id IS DISTINCT FROM NEW.job_id OR OLD.status IS DISTINCT FROM NEW.status
                        OR OLD.duration_minutes IS DISTINCT FROM NEW.duration_minutes)
     EXECUTE FUNCTION fieldline_time_entry_facts()`,
];

/** Facts maintained on other modules' tables; the time-entry triggers need the job columns first. */
export const jobFacts: Record<string, (resource: ResourceDefinition) => ResourceDefinition> = {
  jobs: withSchema(...jobStatements),
  'time-entries': withSchema(...timeEntryStatements),
};
