// The account's Stripe connection: which Stripe account its customers pay, and the keys to
// reach it. One row per account (0021_stripe_connections); the secret key is sealed with the
// server's key (SecretBox) and read back only to call Stripe, never answered or logged.
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import type { TenantTransaction } from '../db/tenant-transaction.ts';
import { ApiError } from '../platform/errors.ts';
import type { SecretBox } from '../platform/secret-box.ts';

export const StripeConnection = z.object({
  object: z.literal('stripe_connection'),
  configured: z.boolean().describe('Whether customers can pay invoices by card through Stripe.'),
  mode: z
    .enum(['test', 'live'])
    .nullable()
    .describe("From the keys' prefix: `test` keys take only Stripe's test cards, `live` keys take real money."),
  publishable_key: z
    .string()
    .nullable()
    .describe('The key browsers use (Stripe.js) to confirm a payment; public by design.'),
  stripe_account_id: z.string().nullable().describe('The Stripe account (`acct_...`) the key belongs to.'),
  stripe_account_name: z.string().nullable().describe('Its name in Stripe (dashboard display name or business name).'),
  connected_at: z.string().nullable().describe('When the key was last verified and saved.'),
});
export type StripeConnection = z.infer<typeof StripeConnection>;

interface ConnectionRow {
  publishable_key: string;
  mode: 'test' | 'live';
  stripe_account_id: string;
  stripe_account_name: string | null;
  connected_at: string | Date;
}

const NOT_CONFIGURED: StripeConnection = {
  object: 'stripe_connection',
  configured: false,
  mode: null,
  publishable_key: null,
  stripe_account_id: null,
  stripe_account_name: null,
  connected_at: null,
};

const present = (row: ConnectionRow | undefined): StripeConnection =>
  row
    ? {
        object: 'stripe_connection',
        configured: true,
        mode: row.mode,
        publishable_key: row.publishable_key,
        stripe_account_id: row.stripe_account_id,
        stripe_account_name: row.stripe_account_name,
        connected_at: new Date(row.connected_at).toISOString(),
      }
    : NOT_CONFIGURED;

const PUBLIC_COLUMNS = 'publishable_key, mode, stripe_account_id, stripe_account_name, connected_at';

/** The account's connection as the API shows it (never the secret key). */
export async function readStripeConnection(db: Database, accountId: string): Promise<StripeConnection> {
  const [row] = await systemQuery<ConnectionRow & Record<string, unknown>>(db, {
    sql: `SELECT ${PUBLIC_COLUMNS} FROM stripe_connections WHERE account_id = $1`,
    parameters: [accountId],
  });
  return present(row);
}

export interface VerifiedConnection {
  secretKey: string;
  publishableKey: string;
  mode: 'test' | 'live';
  stripeAccountId: string;
  stripeAccountName: string | null;
}

/** Saves a connection Stripe has just accepted, replacing any. */
export async function saveStripeConnection(
  db: Database,
  secrets: SecretBox,
  accountId: string,
  connection: VerifiedConnection,
): Promise<StripeConnection> {
  const [row] = await systemQuery<ConnectionRow & Record<string, unknown>>(db, {
    sql: `INSERT INTO stripe_connections (account_id, secret_key, publishable_key, mode, stripe_account_id,
                                          stripe_account_name, connected_at)
          VALUES ($1, $2, $3, $4, $5, $6, now())
          ON CONFLICT (account_id) DO UPDATE SET secret_key = EXCLUDED.secret_key,
            publishable_key = EXCLUDED.publishable_key, mode = EXCLUDED.mode,
            stripe_account_id = EXCLUDED.stripe_account_id, stripe_account_name = EXCLUDED.stripe_account_name,
            connected_at = EXCLUDED.connected_at
          RETURNING ${PUBLIC_COLUMNS}`,
    parameters: [
      accountId,
      secrets.encrypt(connection.secretKey),
      connection.publishableKey,
      connection.mode,
      connection.stripeAccountId,
      connection.stripeAccountName,
    ],
  });
  return present(row);
}

export async function deleteStripeConnection(db: Database, accountId: string): Promise<StripeConnection> {
  await systemQuery(db, { sql: 'DELETE FROM stripe_connections WHERE account_id = $1', parameters: [accountId] });
  return NOT_CONFIGURED;
}

/** The keys card payments are taken with, read in the caller's transaction; null when none is connected. */
export async function loadStripeKeys(
  tx: TenantTransaction,
  secrets: SecretBox,
): Promise<{ secretKey: string; publishableKey: string } | null> {
  const [row] = await tx.query<{ secret_key: string; publishable_key: string }>({
    sql: 'SELECT secret_key, publishable_key FROM stripe_connections WHERE account_id = $1',
    parameters: [tx.accountId],
  });
  if (!row) return null;
  let secretKey: string;
  try {
    secretKey = secrets.decrypt(row.secret_key);
  } catch {
    // Our side, not Stripe's: the server's FIELDLINE_SECRET_KEY changed without its secrets.
    throw new ApiError(
      'payments_not_configured',
      "The account's Stripe key cannot be read with this server's secret key; connect Stripe again",
    );
  }
  return { secretKey, publishableKey: row.publishable_key };
}
