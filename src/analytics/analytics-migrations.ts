// Versioned migrations of the request log (its columns are derived from request-logs-resource.ts;
// these bring existing rows along). Ids are global: every module's migrations apply in id order.
import type { Migration } from '../db/migrate.ts';

export const ANALYTICS_MIGRATIONS: readonly Migration[] = [
  {
    id: '0029_request_log_credential',
    statements: [
      // Migrations run before the resource schema, so on a new database there is no table yet (the
      // resource schema then makes it with the column). On the partitioned parent, every day's
      // partition gets the column. Old rows made with an API key say so; the rest stay null: a
      // session and an OAuth token left the same trace (no key), so which one it was is unknown.
      `DO $$ BEGIN
         IF to_regclass('request_logs') IS NOT NULL THEN
           ALTER TABLE request_logs ADD COLUMN IF NOT EXISTS credential text;
           UPDATE request_logs SET credential = 'api_key' WHERE api_key_id IS NOT NULL AND credential IS NULL;
         END IF;
       END $$`,
    ],
  },
];
