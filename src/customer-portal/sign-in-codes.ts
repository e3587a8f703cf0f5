// Signing a customer in without a password: a six-digit code and a magic link, sent by mail (or
// text) to an address on record, single-use, valid 15 minutes, kept only as HMACs. Starting
// answers the same whether or not the address is known, so nobody learns who is a customer.
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { OperationContext, Runtime } from '../platform/contract.ts';
import { newId } from '../platform/ids.ts';
import { queueMailDelivery } from '../delivery/delivery-log.ts';
import { loadBranding } from '../delivery/branding.ts';
import { e164, phoneNumbers, queueSms } from '../delivery/sms/sms-outbox.ts';
import { byteaParameter } from './customer-sessions.ts';
import { portalSegment } from './portal-address.ts';

export const CODE_MINUTES = 15;
/** Wrong guesses a code survives; with sends limited per address, guessing stays hopeless. */
export const CODE_ATTEMPTS = 5;
export const SENDS_PER_ADDRESS = { limit: 5, windowSeconds: 900 };

const PURPOSE = 'customer portal sign-in codes';
const codeHash = (runtime: Runtime, id: string, code: string) =>
  createHmac('sha256', runtime.secrets.derive(PURPOSE)).update(`${id}:${code}`).digest();
export const linkHash = (token: string) => createHash('sha256').update(token).digest();

export type Address = { email: string } | { phone: string };

/** How an address is kept and compared: a lower-cased email, or E.164. Null: not a phone number. */
export function sentTo(address: Address): string | null {
  return 'email' in address ? address.email.trim().toLowerCase() : e164(address.phone);
}

export interface Recipient {
  customer_id: string;
  contact_id: string | null;
  phone?: string | null;
}

/** The customer (or contact at a customer) an address belongs to, whose access is not revoked. */
async function recipientOf(ctx: OperationContext, address: Address, key: string): Promise<Recipient | null> {
  const live = `NOT EXISTS (SELECT 1 FROM customer_portal_access p WHERE p.account_id = $1
                  AND p.customer_id = r.customer_id AND p.status = 'revoked')`;
  if ('email' in address) {
    const [found] = await ctx.tx.query<Recipient>({
      sql: `SELECT r.customer_id, r.contact_id FROM (
              SELECT id AS customer_id, NULL AS contact_id, 0 AS rank, created_at FROM customers
               WHERE account_id = $1 AND lower(email) = $2 AND deleted_at IS NULL
              UNION ALL
              SELECT c.customer_id, c.id, 1, c.created_at FROM contacts c
                JOIN customers k ON k.account_id = c.account_id AND k.id = c.customer_id AND k.deleted_at IS NULL
               WHERE c.account_id = $1 AND lower(c.email) = $2 AND c.deleted_at IS NULL) r
             WHERE ${live} ORDER BY r.rank, r.created_at LIMIT 1`,
      parameters: [ctx.tx.accountId, key],
    });
    return found ?? null;
  }
  // Phones are kept as people typed them: narrow by the last digits, then compare as E.164.
  const candidates = await ctx.tx.query<Recipient>({
    sql: `SELECT r.customer_id, r.contact_id, r.phone FROM (
            SELECT id AS customer_id, NULL AS contact_id, phone, 0 AS rank, created_at FROM customers
             WHERE account_id = $1 AND regexp_replace(phone, '[^0-9]', '', 'g') LIKE $2 AND deleted_at IS NULL
            UNION ALL
            SELECT c.customer_id, c.id, c.phone, 1, c.created_at FROM contacts c
              JOIN customers k ON k.account_id = c.account_id AND k.id = c.customer_id AND k.deleted_at IS NULL
             WHERE c.account_id = $1 AND regexp_replace(c.phone, '[^0-9]', '', 'g') LIKE $2
               AND c.deleted_at IS NULL) r
           WHERE ${live} ORDER BY r.rank, r.created_at LIMIT 20`,
    parameters: [ctx.tx.accountId, `%${key.slice(-7)}`],
  });
  // A number kept without its country code is read in the country of the number given.
  const { parsePhoneNumberFromString } = phoneNumbers();
  const country = parsePhoneNumberFromString(key)?.country;
  const asGiven = (phone: string) => parsePhoneNumberFromString(phone, country)?.number;
  return candidates.find((candidate) => candidate.phone && asGiven(candidate.phone) === key) ?? null;
}

/** Where the hosted sign-in page takes a magic link. */
export const signInLink = (runtime: Runtime, portal: string, token: string) =>
  `${runtime.options.publicUrl}/c/${portal}/sign-in#token=${token}`;

/**
 * Sends a code to `address` if it is a customer's (or a contact's at a customer) in this account
 * and their access is not revoked; answers whether one was sent (never shown to the caller).
 */
export async function sendSignInCode(ctx: OperationContext, address: Address, key: string): Promise<boolean> {
  const recipient = await recipientOf(ctx, address, key);
  if (recipient) await issueSignInCode(ctx, recipient, address, key);
  return recipient !== null;
}

/** Makes a code and link for `recipient` and queues them to the address, in `ctx`'s transaction. */
export async function issueSignInCode(
  ctx: OperationContext,
  recipient: { customer_id: string; contact_id: string | null },
  address: Address,
  key: string,
  opening = '',
): Promise<void> {
  const id = newId('csic');
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const link = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.parse(ctx.now) + CODE_MINUTES * 60_000).toISOString();
  ctx.tx.defer({
    sql: `INSERT INTO customer_sign_in_codes (id, account_id, customer_id, contact_id, sent_to, code_hash, link_hash,
                                              expires_at, created_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    parameters: [
      id,
      ctx.tx.accountId,
      recipient.customer_id,
      recipient.contact_id,
      key,
      byteaParameter(codeHash(ctx.runtime, id, code)),
      byteaParameter(linkHash(link)),
      expiresAt,
      ctx.now,
    ],
  });
  const branding = await loadBranding(ctx.tx);
  const business = branding.business_name ?? branding.account_name;
  const about = { collection: 'customers', id: recipient.customer_id };
  if ('email' in address) {
    queueMailDelivery(
      ctx.tx,
      {
        to: [key],
        subject: `Your sign-in code for ${business}`,
        text:
          opening +
          `Your code to sign in to ${business}: ${code}\n\n` +
          `Or open this link: ${signInLink(ctx.runtime, await portalSegment(ctx.tx), link)}\n\n` +
          `Both work once, for ${CODE_MINUTES} minutes. If you did not ask to sign in, ignore this mail.`,
      },
      ctx.now,
      about,
    );
  } else {
    queueSms(ctx, {
      to: key,
      body: `${code} is your ${business} sign-in code. It works once, for ${CODE_MINUTES} minutes.`,
      subject: 'Sign-in code',
      about,
    });
  }
}

export interface RedeemedCode {
  customerId: string;
  contactId: string | null;
}

/**
 * Redeems the newest live code sent to `key` (or, with `link`, the code a magic link carries):
 * single use. A wrong code counts an attempt, which must commit even though the caller refuses.
 */
export async function redeemSignInCode(
  ctx: OperationContext,
  given: { key: string; code: string } | { linkHash: Buffer },
): Promise<RedeemedCode | null> {
  const [row] = await ctx.tx.query<{ id: string; customer_id: string; contact_id: string | null; code_hash: Buffer }>({
    sql: `SELECT id, customer_id, contact_id, code_hash FROM customer_sign_in_codes
           WHERE account_id = $1 AND ${'key' in given ? 'sent_to = $2' : 'link_hash = $2'}
             AND used_at IS NULL AND expires_at > $3 AND attempts < ${CODE_ATTEMPTS}
           ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
    parameters: [ctx.tx.accountId, 'key' in given ? given.key : byteaParameter(given.linkHash), ctx.now],
  });
  if (!row) return null;
  if ('code' in given) {
    const expected = Buffer.from(row.code_hash);
    if (!timingSafeEqual(codeHash(ctx.runtime, row.id, given.code), expected)) {
      await ctx.tx.query({
        sql: 'UPDATE customer_sign_in_codes SET attempts = attempts + 1 WHERE account_id = $1 AND id = $2',
        parameters: [ctx.tx.accountId, row.id],
      });
      return null;
    }
  }
  await ctx.tx.query({
    sql: 'UPDATE customer_sign_in_codes SET used_at = $3 WHERE account_id = $1 AND id = $2',
    parameters: [ctx.tx.accountId, row.id, ctx.now],
  });
  return { customerId: row.customer_id, contactId: row.contact_id };
}
