// What each customer has paid, per currency: when they first paid and the total (refunds taken
// off), kept by a trigger on payments in the same transaction as every write. Lifetime value up to
// a day is then the customers who first paid before it and the totals less what was paid since:
// a few rows per customer instead of every payment the account ever took.
//
// Added with the resources' own schema (after every table exists); filled once from the payments
// when the table is created (`backfillLifetimeValue`, also run by the benchmark after COPY).
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import type { ResourceDefinition } from '../platform/contract.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import { withSchema } from './analytics-indexes.ts';
import { lockRowKeys, plpgsql } from './facts-sql.ts';

export const LIFETIME_VALUE_TABLE = 'customer_payment_totals';

const totalsOf = (
  where: string,
) => `SELECT account_id, customer_id, currency, min(created_at), sum(amount - amount_refunded)
   FROM payments WHERE customer_id IS NOT NULL AND ${where} GROUP BY account_id, customer_id, currency`;

export const backfillLifetimeValue = [
  `INSERT INTO ${LIFETIME_VALUE_TABLE} (account_id, customer_id, currency, first_paid_at, total) ${totalsOf('true')}`,
];

/** One customer's row in one currency, recomputed from their payments (gone when none is left). */
const refresh = (row: 'OLD' | 'NEW') => {
  const one = `account_id = ${row}.account_id AND customer_id = ${row}.customer_id AND currency = ${row}.currency`;
  return `IF ${row}.customer_id IS NOT NULL THEN
       DELETE FROM ${LIFETIME_VALUE_TABLE} WHERE ${one};
       INSERT INTO ${LIFETIME_VALUE_TABLE} (account_id, customer_id, currency, first_paid_at, total)
         ${totalsOf(one)};
     END IF;`;
};

const key = (row: 'OLD' | 'NEW') => `${row}.account_id || ${row}.customer_id || ${row}.currency`;

const statements = [
  `DO $do$ BEGIN
     IF to_regclass('${LIFETIME_VALUE_TABLE}') IS NULL THEN
       CREATE TABLE ${LIFETIME_VALUE_TABLE} (
         account_id text NOT NULL REFERENCES accounts (id),
         customer_id text NOT NULL,
         currency text NOT NULL,
         first_paid_at timestamptz NOT NULL,
         total bigint NOT NULL,
         PRIMARY KEY (account_id, customer_id, currency)
       );
       ${backfillLifetimeValue.join(';\n')};
     END IF;
   END $do$`,
  // Customers who first paid before a day, with every total, from the index alone.
  `CREATE INDEX IF NOT EXISTS ${LIFETIME_VALUE_TABLE}_first_paid_idx
     ON ${LIFETIME_VALUE_TABLE} (account_id, currency, first_paid_at) INCLUDE (total)`,
  ...rowLevelSecurity(LIFETIME_VALUE_TABLE),
  // The tenant reads it; only the trigger (the owner's rights) writes it.
  `GRANT SELECT ON ${LIFETIME_VALUE_TABLE} TO ${TENANT_ROLE}`,
  plpgsql(
    'fieldline_lifetime_value_facts',
    `${lockRowKeys(key)}
     IF TG_OP <> 'INSERT' THEN
       ${refresh('OLD')}
     END IF;
     IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (${key('NEW')}) IS DISTINCT FROM (${key('OLD')})) THEN
       ${refresh('NEW')}
     END IF;
     RETURN NULL;`,
    true,
  ),
  `CREATE OR REPLACE TRIGGER payments_lifetime_value AFTER INSERT OR DELETE ON payments
     FOR EACH ROW EXECUTE FUNCTION fieldline_lifetime_value_facts()`,
  `CREATE OR REPLACE TRIGGER payments_lifetime_value_changed
     AFTER UPDATE OF customer_id, currency, amount, amount_refunded, created_at ON payments
     FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.currency IS DISTINCT FROM NEW.currency
                        OR OLD.amount IS DISTINCT FROM NEW.amount
                        OR OLD.amount_refunded IS DISTINCT FROM NEW.amount_refunded
                        OR OLD.created_at IS DISTINCT FROM NEW.created_at)
     EXECUTE FUNCTION fieldline_lifetime_value_facts()`,
];

export const lifetimeValueFacts: Record<string, (resource: ResourceDefinition) => ResourceDefinition> = {
  payments: withSchema(...statements),
};
