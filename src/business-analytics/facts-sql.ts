// What the triggers that keep analytics facts share: the function shape and per-key locking.

/**
 * Serialises the facts of one key (a customer's jobs, a job's time entries) across transactions
 * until commit: a trigger then recomputes from rows its next statement sees committed, so two
 * writers at once cannot each miss the other's row. Two keys are taken in one order (no deadlock).
 */
export const lockKeys = (...keys: string[]) =>
  keys.length === 1
    ? `PERFORM pg_advisory_xact_lock(hashtextextended(${keys[0]}, 35));`
    : `PERFORM pg_advisory_xact_lock(hashtextextended(k, 35)) FROM unnest(ARRAY[${keys.join(', ')}]) k
        WHERE k IS NOT NULL ORDER BY k;`;

/** Locks the key of the row a row trigger fired for: NEW's, OLD's, or both when an update moved it. */
export const lockRowKeys = (key: (row: 'OLD' | 'NEW') => string) => `IF TG_OP = 'INSERT' THEN
       ${lockKeys(key('NEW'))}
     ELSIF TG_OP = 'DELETE' THEN
       ${lockKeys(key('OLD'))}
     ELSE
       ${lockKeys(key('OLD'), key('NEW'))}
     END IF;`;

/**
 * A trigger function of `body`: the invoker's rights, or with `definer` the owner's (for tables the
 * tenant only reads).
 */
const DEFINER = ' SECURITY DEFINER SET search_path = public';
export const plpgsql = (name: string, body: string, definer = false) =>
  `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql${definer ? DEFINER : ''} AS $fn$
   BEGIN
     ${body}
   END $fn$`;
