// Where an account's customers find it: /c/{slug} once the account chooses a slug (say
// /c/acme-plumbing), /c/{account_id} until then and always. GET/PATCH /v1/account/customer-portal.
// Slugs are public addresses, so they are unique across accounts: a taken one is a 409.
import { z } from 'zod';
import { systemQuery } from '../db/system-query.ts';
import type { TenantTransaction } from '../db/tenant-transaction.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import type { Runtime } from '../platform/contract.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';

/** Path segments of /c/ that are pages, not businesses. */
const RESERVED = new Set(['documents', 'sign-in', 'api', 'assets', 'static', 'portal', 'admin', 'www']);

const Slug = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/,
    'Expected 3 to 40 lowercase letters, digits and hyphens, starting and ending with a letter or digit',
  )
  .refine((slug) => !RESERVED.has(slug) && !slug.startsWith('acct_'), 'This address is reserved')
  .describe("The business in the customer pages' address: `/c/{slug}`.");

const PortalSettings = z.object({
  object: z.literal('customer_portal_settings'),
  slug: z.string().nullable().describe('Null: the pages are at `/c/{account_id}` only.'),
  url: z.string().describe('Where customers sign in and see their records.'),
  updated_at: z.string().nullable(),
});

type Db = Runtime['db'];

/** The account a /c/ segment or a sign-in's `account_id` names: its id or its slug; null when none. */
export async function resolvePortalAccount(db: Db, idOrSlug: string): Promise<string | null> {
  const [found] = await systemQuery<{ id: string }>(db, {
    sql: `SELECT id FROM accounts WHERE id = $1
          UNION ALL SELECT account_id FROM customer_portal_settings WHERE slug = $1 LIMIT 1`,
    parameters: [idOrSlug],
  });
  return found?.id ?? null;
}

/** The segment after /c/ in links this account's customers are sent, read in the caller's transaction. */
export async function portalSegment(tx: TenantTransaction): Promise<string> {
  const [row] = await tx.query<{ slug: string | null }>({
    sql: 'SELECT slug FROM customer_portal_settings WHERE account_id = $1',
    parameters: [tx.accountId],
  });
  return row?.slug ?? tx.accountId;
}

async function readSettings(runtime: Runtime, accountId: string) {
  const [row] = await systemQuery<{ slug: string | null; updated_at: string | Date | null }>(runtime.db, {
    sql: 'SELECT slug, updated_at FROM customer_portal_settings WHERE account_id = $1',
    parameters: [accountId],
  });
  return {
    object: 'customer_portal_settings' as const,
    slug: row?.slug ?? null,
    url: `${runtime.options.publicUrl}/c/${row?.slug ?? accountId}`,
    updated_at: row?.updated_at ? new Date(row.updated_at).toISOString() : null,
  };
}

export const portalAddressOperations = [
  defineOperation({
    method: 'get',
    path: '/v1/account/customer-portal',
    operationId: 'getCustomerPortalSettings',
    tag: 'Account',
    scope: 'read:account',
    bucket: 'read',
    summary: "Retrieve your customer pages' address",
    response: PortalSettings,
    async handle({ runtime, principal }) {
      return { status: 200, body: { data: await readSettings(runtime, principal.accountId) } };
    },
  }),
  defineOperation({
    method: 'patch',
    path: '/v1/account/customer-portal',
    operationId: 'updateCustomerPortalSettings',
    tag: 'Account',
    scope: 'write:account',
    bucket: 'write',
    summary: "Choose your customer pages' address",
    description:
      'Sets the slug of `/c/{slug}`, the address sign-in mails and payment pages send customers to; ' +
      '`null` goes back to `/c/{account_id}`, which always works. A slug another business uses is a 409.',
    body: z.strictObject({ slug: Slug.nullable() }),
    response: PortalSettings,
    async handle({ runtime, principal, body }) {
      if (typeof body !== 'object' || body === null || !('slug' in body))
        throw validationFailed([{ path: 'slug', message: 'Required' }]);
      const [taken] = await systemQuery(runtime.db, {
        sql: 'SELECT 1 FROM customer_portal_settings WHERE slug = $1 AND account_id <> $2',
        parameters: [body.slug, principal.accountId],
      });
      if (taken) throw slugTaken();
      try {
        await systemQuery(runtime.db, {
          sql: `INSERT INTO customer_portal_settings (account_id, slug, updated_at) VALUES ($1, $2, now())
                ON CONFLICT (account_id) DO UPDATE SET slug = EXCLUDED.slug, updated_at = now()`,
          parameters: [principal.accountId, body.slug],
        });
      } catch (error) {
        // Two accounts racing for one slug: the unique index decides.
        if ((error as { code?: string }).code === '23505') throw slugTaken();
        throw error;
      }
      return { status: 200, body: { data: await readSettings(runtime, principal.accountId) } };
    },
  }),
];

const slugTaken = () =>
  new ApiError('conflict', 'Another business already uses this address', {
    errors: [{ path: 'slug', message: 'is taken' }],
  });
