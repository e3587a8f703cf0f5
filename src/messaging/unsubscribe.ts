// The unsubscribe link of campaign mail. Each mail carries a link signed for its contact, in the
// text and in RFC 8058 headers (`List-Unsubscribe` with `List-Unsubscribe-Post: One-Click`), so a
// mail client's unsubscribe button works without opening anything. GET shows a page with a
// button (a link scanner that follows links must not unsubscribe anyone); POST, from that button
// or the mail client, sets the contact's `email_opt_out`, and campaigns skip them from then on.
import { z } from 'zod';
import { withTenantTransaction, type TenantTransaction } from '../db/tenant-transaction.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import type { ApiResult } from '../platform/api/operation.ts';
import { escapeHtml, messagePage, page } from '../platform/api/html-page.ts';
import { accountPrincipal } from '../platform/operations/principal.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import { selectRow } from '../platform/operations/row-statements.ts';
import { openToken, signToken, TOKEN_PATTERN } from '../platform/signed-tokens.ts';
import type { Runtime } from '../platform/contract.ts';

const PURPOSE = 'fieldline unsubscribe links';

/** The link that unsubscribes a contact of the account from its campaign mail (it does not expire). */
export function unsubscribeLink(runtime: Runtime, accountId: string, contactId: string): string {
  return `${runtime.options.publicUrl}/v1/unsubscribe/${signToken(runtime, PURPOSE, [accountId, contactId])}`;
}

/** The RFC 8058 header fields of a mail with that link. */
export const unsubscribeHeaders = (link: string) => ({
  'List-Unsubscribe': `<${link}>`,
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
});

/** An HTML mail with the link at its foot (inside the body, when it has one). */
export function withUnsubscribeFooter(mailHtml: string, link: string): string {
  const footer =
    '<p style="font-size:12px;color:#667;margin-top:24px">' +
    `<a href="${escapeHtml(link)}" style="color:#667">Unsubscribe</a> from these emails.</p>`;
  const end = mailHtml.search(/<\/body>/i);
  return end === -1 ? mailHtml + footer : mailHtml.slice(0, end) + footer + mailHtml.slice(end);
}

const html = (text: string, status = 200): ApiResult => ({
  response: new Response(text, {
    status,
    headers: {
      'Content-Type': 'text/html; charset=UTF-8',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    },
  }),
});

const invalidLink = () =>
  html(messagePage('Link not valid', 'This unsubscribe link is not valid. Reply to the mail to be removed.'), 404);

/** The contact a link names, in its account's transaction; null for a forged or altered link. */
async function withLinkContact<T>(
  runtime: Runtime,
  token: string,
  work: (link: { tx: TenantTransaction; row: Record<string, any> | null; business: string }) => Promise<T>,
): Promise<T | null> {
  const values = openToken(runtime, PURPOSE, token);
  if (!values) return null;
  const [accountId, contactId] = values as string[];
  return withTenantTransaction(runtime.db, accountId, async (tx) => {
    const contacts = runtime.registry.get('contacts');
    const [row] = await tx.query(selectRow(contacts, accountId, contactId));
    const [{ business }] = await tx.query<{ business: string }>({
      sql: `SELECT coalesce(b.business_name, a.name) AS business FROM accounts a
              LEFT JOIN account_branding b ON b.account_id = a.id WHERE a.id = $1`,
      parameters: [accountId],
    });
    return work({ tx, row: row ?? null, business });
  });
}

const link = {
  tag: 'Unsubscribe',
  scope: null,
  authentication: 'none' as const,
  params: { token: { pattern: TOKEN_PATTERN } },
  responseMediaType: 'text/html',
  response: z.string().describe('A page saying what happened.'),
  sdk: { excluded: 'a link in campaign mail, followed by its recipient' },
};

export const unsubscribeOperations = [
  defineOperation({
    ...link,
    method: 'get',
    path: '/v1/unsubscribe/{token}',
    operationId: 'unsubscribePage',
    bucket: 'read',
    summary: 'The page the unsubscribe link of campaign mail opens',
    description:
      'Asks the recipient to confirm with a button (which POSTs to the same address): following the link alone ' +
      'unsubscribes no one. A forged or altered link is a 404.',
    async handle({ runtime, params }) {
      const answer = await withLinkContact(runtime, params.token, async ({ row, business }) => {
        const who = row?.email ? ` (${escapeHtml(row.email)})` : '';
        return html(
          page(
            'Unsubscribe',
            `<h1>Unsubscribe from ${escapeHtml(business)}</h1>
  <p>Stop receiving marketing mail from ${escapeHtml(business)} at this address${who}?</p>
  <form method="post"><div class="actions"><button type="submit">Unsubscribe</button></div></form>`,
          ),
        );
      });
      return answer ?? invalidLink();
    },
  }),
  defineOperation({
    ...link,
    method: 'post',
    path: '/v1/unsubscribe/{token}',
    operationId: 'unsubscribe',
    bucket: 'write',
    summary: 'Unsubscribe a contact from campaign mail (RFC 8058 one-click)',
    description:
      "Sets the link's contact's `email_opt_out` (a `contact.updated` event); campaigns skip them from then on. " +
      'Mail clients post `List-Unsubscribe=One-Click`; the page posts its button. Doing it twice changes nothing.',
    form: z.object({ 'List-Unsubscribe': z.string().optional() }),
    async handle({ runtime, params, requestId }) {
      const answer = await withLinkContact(runtime, params.token, async ({ tx, row, business }) => {
        if (row && row.email_opt_out !== true) {
          const ctx = createOperationContext(tx, accountPrincipal(tx.accountId), runtime, requestId);
          await ctx.update('contacts', row.id, { email_opt_out: true });
        }
        return html(messagePage('Unsubscribed', `You will get no more marketing mail from ${business}.`));
      });
      return answer ?? invalidLink();
    },
  }),
];
