// Texting consent, kept as carriers and SMS providers keep it: a reply of STOP (or STOPALL,
// UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT) opts the number out; START, UNSTOP or YES opts it
// back in. The flag is `sms_opt_out` on the contacts with that number; while one is set, a text to
// the number is refused before anything is queued. A provider that refuses a text because the
// recipient unsubscribed with it (Twilio 21610) opts the number out the same way.
import type { Row } from '../db/database.ts';
import { validationFailed } from '../platform/errors.ts';
import type { OperationContext, Runtime } from '../platform/contract.ts';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import { accountPrincipal } from '../platform/operations/principal.ts';
import type { SmsConsent } from '../delivery/sms/sms-consent.ts';
import { e164 } from '../delivery/sms/sms-outbox.ts';

const OPT_OUT_WORDS = new Set(['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'revoke', 'optout']);
const OPT_IN_WORDS = new Set(['start', 'unstop', 'yes']);

/** Whether a text is a consent keyword: true opts out, false opts back in, null is a plain message. */
export function optOutRequested(body: string): boolean | null {
  const word = body
    .trim()
    .replace(/[.!]+$/, '')
    .toLowerCase();
  if (OPT_OUT_WORDS.has(word)) return true;
  if (OPT_IN_WORDS.has(word)) return false;
  return null;
}

/** The number as it may be stored: as given, without spacing, and in E.164. */
const spellings = (phone: string) => [...new Set([phone, phone.replace(/[^\d+]/g, ''), e164(phone)])].filter(Boolean);

/** The live contacts of a number (however written), and the given contact. */
export async function contactsOf(
  ctx: OperationContext,
  contactId: string | null,
  phone: string | null,
): Promise<Row[]> {
  return ctx.tx.query({
    sql: `SELECT id, sms_opt_out FROM contacts
           WHERE account_id = $1 AND deleted_at IS NULL
             AND (id = $2 OR regexp_replace(phone, '[^0-9+]', '', 'g') = ANY ($3::text[]))
           ORDER BY id`,
    parameters: [ctx.tx.accountId, contactId, phone ? spellings(phone) : []],
  });
}

/** An inbound text that is STOP or START sets or clears the sender's `sms_opt_out` (each change a contact.updated). */
export async function applyConsentKeyword(ctx: OperationContext, conversation: Row, message: Row): Promise<void> {
  const optOut = optOutRequested(message.body);
  if (optOut === null) return;
  const sender = message.from_address ?? conversation.participant_address;
  await setOptOut(ctx, await contactsOf(ctx, conversation.contact_id ?? null, sender), optOut);
}

async function setOptOut(ctx: OperationContext, contacts: Row[], optOut: boolean): Promise<void> {
  for (const contact of contacts) {
    if ((contact.sms_opt_out === true) !== optOut) await ctx.update('contacts', contact.id, { sms_opt_out: optOut });
  }
}

/** The provider says the number unsubscribed (it saw the STOP first): its contacts are opted out. */
export const providerConsent = (runtime: Runtime): SmsConsent => ({
  recipientUnsubscribed: (accountId, number) =>
    withTenantTransaction(runtime.db, accountId, async (tx) => {
      const ctx = createOperationContext(tx, accountPrincipal(accountId), runtime);
      await setOptOut(ctx, await contactsOf(ctx, null, number), true);
    }),
});

/** A 422 when the number (or the conversation's contact) opted out of texts. */
export async function refuseOptedOut(ctx: OperationContext, conversation: Row, to: string): Promise<void> {
  const optedOut = (await contactsOf(ctx, conversation.contact_id ?? null, to)).filter(
    (contact) => contact.sms_opt_out === true,
  );
  if (optedOut.length)
    throw validationFailed([
      {
        path: 'conversation_id',
        message:
          `${to} opted out of texts (contact ${optedOut.map((contact) => contact.id).join(', ')} replied STOP): ` +
          'nothing is sent until they reply START',
      },
    ]);
}
