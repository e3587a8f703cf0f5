// The benches' API key: a live key (a test key acts in the account's sandbox) whose rate limits
// leave room for a whole run. The limiter still runs on every request, as in production: the
// benches measure what counting costs, not what refusing looks like.
import { prepareApiKey } from '../src/auth/api-keys.ts';
import type { Database } from '../src/db/database.ts';
import { systemTransaction } from '../src/db/system-query.ts';

const ROOMY = { limit: 10_000_000, window_seconds: 3600 };

/** Stores a new key for `accountId` and returns its secret. */
export async function createBenchKey(
  db: Database,
  accountId: string,
  { name, scopes }: { name: string; scopes: readonly string[] },
): Promise<string> {
  const key = prepareApiKey({
    accountId,
    name,
    mode: 'live',
    scopes: [...scopes],
    rateLimits: { read: ROOMY, write: ROOMY, expensive: ROOMY },
  });
  await systemTransaction(db, key.statements);
  return key.secret;
}
