// Versioned migrations of prepaid credits (src/credits/): the balance of each account that pays by
// credits, and the append-only ledger of every change to it. Ids are global (0043, 0044 are ours).
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import type { Migration } from '../db/migrate.ts';

export const CREDITS_MIGRATIONS: readonly Migration[] = [
  {
    id: '0043_credits',
    statements: [
      // One row per account that pays metered features by credits: its presence is what makes the
      // account metered (src/credits/credit-ledger.ts). The CHECK is the last wall against a
      // negative balance; the debit's `WHERE balance >= cost` is the first.
      `CREATE TABLE credit_balances (
         account_id text PRIMARY KEY REFERENCES accounts (id),
         balance bigint NOT NULL CHECK (balance >= 0),
         updated_at timestamptz NOT NULL
       )`,
      ...rowLevelSecurity('credit_balances'),
      // Consumption and refunds run in the tenant transaction that sends; grants and top-ups are
      // the platform's (system statements), so tenants never insert a balance of their own.
      `GRANT SELECT, UPDATE ON credit_balances TO ${TENANT_ROLE}`,
      // Append-only: the tenant role may add entries and read them, never change or remove one.
      `CREATE TABLE credit_ledger (
         id text PRIMARY KEY,
         account_id text NOT NULL REFERENCES accounts (id),
         delta bigint NOT NULL,
         reason text NOT NULL CHECK (reason IN ('grant', 'top_up', 'consume', 'refund', 'expire')),
         feature text CHECK (feature IN ('ai', 'sms')),
         reference text,
         balance_after bigint NOT NULL CHECK (balance_after >= 0),
         actor text NOT NULL,
         note text,
         created_at timestamptz NOT NULL
       )`,
      ...rowLevelSecurity('credit_ledger'),
      `GRANT SELECT, INSERT ON credit_ledger TO ${TENANT_ROLE}`,
      `CREATE INDEX credit_ledger_account_idx ON credit_ledger (account_id, id DESC)`,
      // What makes a refund or a top-up happen once: one refund per consumed reference, one
      // top-up per Stripe PaymentIntent, however often the provider or Stripe reports it.
      `CREATE UNIQUE INDEX credit_ledger_once_idx ON credit_ledger (account_id, reason, reference)
         WHERE reason IN ('refund', 'top_up')`,
    ],
  },
];
