// Versioned migrations of test mode (README "Test mode"): an account's sandbox is another row of
// `accounts`, linked to the live one, so every tenancy wall (the tenant transaction, RLS) keeps
// test data from live data with no per-table work.
import type { Migration } from '../db/migrate.ts';

export const SANDBOX_MIGRATIONS: readonly Migration[] = [
  {
    id: '0047_sandbox_accounts',
    statements: [
      // At most one sandbox per live account; a sandbox has none of its own (checked where one
      // is made, src/sandbox/sandbox-accounts.ts, and here: a sandbox's sandbox_of is a live row).
      `ALTER TABLE accounts ADD COLUMN sandbox_of text UNIQUE REFERENCES accounts (id)`,
      `ALTER TABLE accounts ADD COLUMN livemode boolean GENERATED ALWAYS AS (sandbox_of IS NULL) STORED`,
      // Test keys made before test mode was real reached the live account's data; they keep doing
      // so (an integration built on one keeps working and sees what it made), and say so
      // (api_keys.reaches_live_data). Keys made from now on reach the sandbox.
      `ALTER TABLE api_keys ADD COLUMN legacy_live_test boolean NOT NULL DEFAULT false`,
      `UPDATE api_keys SET legacy_live_test = true WHERE mode = 'test'`,
      // Every event so far is a live account's. On a new database the events table (a resource's)
      // is made after the migrations, with the column (src/platform/events/events-resource.ts).
      `DO $do$ BEGIN
         IF to_regclass('events') IS NOT NULL THEN
           ALTER TABLE events ADD COLUMN IF NOT EXISTS livemode boolean NOT NULL DEFAULT true;
         END IF;
       END $do$`,
    ],
  },
];
