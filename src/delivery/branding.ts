// The account's document branding: what its invoices, estimates, quotes and purchase orders say
// about the business (name, address, tax id, logo, footer, payment terms, overdue reminders), and the time zone and
// currency its documents and reports use. One row per account, made on first change.
// GET/PATCH /v1/account/branding; POST/DELETE /v1/account/branding/logo.
import { z } from 'zod';
import { systemQuery } from '../db/system-query.ts';
import type { TenantTransaction } from '../db/tenant-transaction.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { field } from '../platform/resource/fields.ts';
import { sniffImageType } from '../storage/image-type.ts';

/** The images a PDF can embed. */
const LOGO_TYPES = ['image/png', 'image/jpeg'] as const;
const MAX_LOGO_BYTES = 512 * 1024;

export const TimeZone = z
  .string()
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'Expected an IANA time zone such as Europe/Paris or America/Chicago');

const Branding = z.object({
  object: z.literal('account_branding'),
  business_name: z.string().nullable().describe("Printed as the document's sender; default: the account's name."),
  address: z.string().nullable().describe('Postal address, one line per line.'),
  tax_id: z.string().nullable(),
  email: z.string().nullable().describe('Where customers reply; printed on documents.'),
  phone: z.string().nullable(),
  footer: z.string().nullable().describe('Printed at the foot of every document (bank details, thanks).'),
  payment_terms_days: z.int().describe('Days from sending to the due date, for invoices sent without one.'),
  overdue_reminder_days: z
    .array(z.int())
    .describe(
      'Days after the due date on which the customer of an unpaid invoice is mailed a reminder (each once); ' +
        'empty: no reminders.',
    ),
  time_zone: z.string().describe('IANA time zone dates on documents (and reports) are given in.'),
  currency: z.string().describe('The currency new documents default to.'),
  logo_content_type: z.string().nullable().describe('The logo (POST /v1/account/branding/logo), if any.'),
  updated_at: z.string().nullable(),
});
export type AccountBranding = z.infer<typeof Branding> & { logo: Buffer | null; account_name: string };

const text = (max: number) => z.string().trim().max(max).nullable().optional();
const BrandingUpdate = z.strictObject({
  business_name: text(200),
  address: text(1000),
  tax_id: text(64),
  email: field.email().spec.schema.nullable().optional(),
  phone: text(40),
  footer: text(1000),
  payment_terms_days: z.int().min(0).max(365).optional(),
  overdue_reminder_days: z
    .array(z.int().min(1).max(365))
    .max(5)
    .refine((days) => new Set(days).size === days.length, 'Each day may be given once')
    .transform((days) => days.toSorted((a, b) => a - b))
    .optional(),
  time_zone: TimeZone.optional(),
  currency: field.currency().spec.schema.optional(),
});

const COLUMNS = [
  'business_name',
  'address',
  'tax_id',
  'email',
  'phone',
  'footer',
  'payment_terms_days',
  'overdue_reminder_days',
  'time_zone',
  'currency',
] as const;

// The account's row joined to its branding (absent until the first change: the defaults apply).
const SELECT_BRANDING = `
  SELECT a.name AS account_name, b.business_name, b.address, b.tax_id, b.email, b.phone, b.footer,
         coalesce(b.payment_terms_days, 30) AS payment_terms_days,
         coalesce(b.overdue_reminder_days, '{}') AS overdue_reminder_days, coalesce(b.time_zone, 'UTC') AS time_zone,
         coalesce(b.currency, 'USD') AS currency, b.logo_base64, b.logo_content_type, b.updated_at
    FROM accounts a LEFT JOIN account_branding b ON b.account_id = a.id
   WHERE a.id = $1`;

function brandingOf(row: Record<string, any>): AccountBranding {
  const { logo_base64, account_name, ...rest } = row;
  return {
    object: 'account_branding',
    ...rest,
    account_name,
    logo: logo_base64 ? Buffer.from(logo_base64, 'base64') : null,
  } as AccountBranding;
}

const present = ({ logo: _logo, account_name: _name, ...branding }: AccountBranding) => branding;

/** The branding documents are printed with, read in the caller's transaction. */
export async function loadBranding(tx: TenantTransaction): Promise<AccountBranding> {
  const [row] = await tx.query({ sql: SELECT_BRANDING, parameters: [tx.accountId] });
  return brandingOf(row);
}

async function readBranding(db: Parameters<typeof systemQuery>[0], accountId: string): Promise<AccountBranding> {
  const [row] = await systemQuery(db, { sql: SELECT_BRANDING, parameters: [accountId] });
  return brandingOf(row);
}

/** Writes the given columns (the rest keep their values, or their defaults on a first write). */
function upsertBranding(accountId: string, values: Record<string, unknown>) {
  const names = Object.keys(values);
  const parameterRefs = names.map((_, i) => `$${i + 2}`); // $1 is the account
  return {
    sql: `INSERT INTO account_branding (account_id, ${names.join(', ')}, updated_at)
          VALUES ($1, ${parameterRefs.join(', ')}, now())
          ON CONFLICT (account_id) DO UPDATE SET ${names.map((name) => `${name} = EXCLUDED.${name}`).join(', ')},
            updated_at = now()`,
    parameters: [accountId, ...names.map((name) => values[name])],
  };
}

export const brandingOperations = [
  defineOperation({
    method: 'get',
    path: '/v1/account/branding',
    operationId: 'getAccountBranding',
    tag: 'Account',
    scope: 'read:account',
    bucket: 'read',
    summary: 'Retrieve the branding of your documents',
    response: Branding,
    async handle({ runtime, principal }) {
      return { status: 200, body: { data: present(await readBranding(runtime.db, principal.accountId)) } };
    },
  }),
  defineOperation({
    method: 'patch',
    path: '/v1/account/branding',
    operationId: 'updateAccountBranding',
    tag: 'Account',
    scope: 'write:account',
    bucket: 'write',
    summary: 'Update the branding of your documents',
    description:
      'What invoices, estimates, quotes and purchase orders print about your business, the time zone and ' +
      'currency they use, and when unpaid invoices are reminded. `null` clears a text field.',
    body: BrandingUpdate,
    response: Branding,
    async handle({ runtime, principal, body }) {
      if (typeof body !== 'object' || body === null)
        throw validationFailed([{ path: '', message: 'The request body must be a JSON object' }]);
      const values = Object.fromEntries(COLUMNS.flatMap((name) => (name in body ? [[name, body[name]]] : [])));
      if (Object.keys(values).length) await systemQuery(runtime.db, upsertBranding(principal.accountId, values));
      return { status: 200, body: { data: present(await readBranding(runtime.db, principal.accountId)) } };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/v1/account/branding/logo',
    operationId: 'uploadAccountLogo',
    tag: 'Account',
    scope: 'write:account',
    bucket: 'write',
    summary: 'Upload the logo printed on your documents',
    description:
      `A PNG or JPEG image of at most ${MAX_LOGO_BYTES / 1024} KiB, in the form field \`file\`; ` +
      'it replaces any logo.',
    upload: { field: 'file', maxBytes: MAX_LOGO_BYTES, mediaTypes: LOGO_TYPES },
    response: Branding,
    async handle({ runtime, principal, file }) {
      const type = sniffImageType(file!.bytes);
      if (!type || !(LOGO_TYPES as readonly string[]).includes(type))
        throw new ApiError('unsupported_media_type', 'The logo must be a PNG or JPEG image');
      await systemQuery(
        runtime.db,
        upsertBranding(principal.accountId, {
          logo_base64: file!.bytes.toString('base64'),
          logo_content_type: type,
        }),
      );
      return { status: 200, body: { data: present(await readBranding(runtime.db, principal.accountId)) } };
    },
  }),
  defineOperation({
    method: 'delete',
    path: '/v1/account/branding/logo',
    operationId: 'deleteAccountLogo',
    tag: 'Account',
    scope: 'write:account',
    bucket: 'write',
    summary: 'Remove the logo from your documents',
    response: Branding,
    async handle({ runtime, principal }) {
      await systemQuery(
        runtime.db,
        upsertBranding(principal.accountId, { logo_base64: null, logo_content_type: null }),
      );
      return { status: 200, body: { data: present(await readBranding(runtime.db, principal.accountId)) } };
    },
  }),
];
