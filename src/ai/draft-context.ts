// What a drafted reply is built from: a conversation's recent messages, its customer and
// contact, the customer's open jobs and unpaid invoices, and the published knowledge-base
// articles that best match the customer's latest message. Read in one short tenant transaction
// of the caller's account (row-level security applies too), so no other account's row can reach
// a prompt; and as the API reads anything one resource carries of another: a collection the
// credential may not read (`read:invoices`) contributes nothing, and is named in `withheld`.
import { withTenantTransaction, type TenantTransaction } from '../db/tenant-transaction.ts';
import { hasScope, type Principal } from '../platform/operations/principal.ts';
import { selectRow } from '../platform/operations/row-statements.ts';
import { anyTermsQuerySql } from '../platform/query/search-terms.ts';
import { ApiError, notFound } from '../platform/errors.ts';
import type { Row } from '../db/database.ts';
import type { Registry, Runtime } from '../platform/contract.ts';
import { DRAFT_LIMITS, type DraftMessage, type DraftRecords } from './draft-prompt.ts';

/** Collections a draft needs: without them there is nothing to reply to. */
export const DRAFT_REQUIRED_SCOPES = ['read:conversations', 'read:messages'] as const;

/** Only so much of the latest message is searched with: its opening says what it is about. */
const SEARCH_CHARS = 2_000;

const OPEN_JOB_STATUSES = ['unscheduled', 'scheduled', 'in_progress'];
const UNPAID_INVOICE_STATUSES = ['open', 'overdue'];

/** The members of a row the prompt shows, in that order (internal notes are not for a customer's reply). */
const pick = (row: Row | undefined, names: readonly string[]): Row | null =>
  row ? Object.fromEntries(names.map((name) => [name, row[name] ?? null])) : null;

const CUSTOMER_FIELDS = ['id', 'name', 'company', 'email', 'phone', 'status', 'address'];
const CONTACT_FIELDS = ['id', 'first_name', 'last_name', 'title', 'role', 'email', 'phone'];
const JOB_FIELDS = ['id', 'title', 'description', 'status', 'priority', 'scheduled_start', 'scheduled_end', 'address'];
const INVOICE_FIELDS = ['id', 'job_id', 'status', 'currency', 'total', 'amount_paid', 'amount_due', 'due_date'];

/** The credential must read the conversation and its messages; a 403 names the first it lacks. */
export function assertMayDraft(principal: Principal): void {
  for (const scope of DRAFT_REQUIRED_SCOPES)
    if (!hasScope(principal, scope))
      throw new ApiError('insufficient_scope', `Drafting a reply reads the conversation: it needs '${scope}'`, {
        required_scope: scope,
      });
}

const iso = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value));

async function recentMessages(tx: TenantTransaction, registry: Registry, conversationId: string) {
  const rows = await tx.query({
    // Stored drafts are not part of what was said.
    sql: `SELECT id, direction, from_address, subject, body, created_at FROM ${registry.get('messages').table}
           WHERE account_id = $1 AND conversation_id = $2 AND status <> 'draft'
           ORDER BY created_at DESC, id DESC LIMIT $3`,
    parameters: [tx.accountId, conversationId, DRAFT_LIMITS.messages],
  });
  return rows.reverse().map((row): DraftMessage => ({
    id: row.id,
    direction: row.direction,
    from_address: row.from_address,
    subject: row.subject,
    body: row.body,
    created_at: iso(row.created_at),
  }));
}

/** Published articles ranked by the words they share with `text` (the shared full-text columns). */
async function matchingArticles(tx: TenantTransaction, registry: Registry, text: string) {
  const rows = await tx.query({
    sql: `SELECT a.id, a.title, a.body
            FROM (SELECT ${anyTermsQuerySql('$2')} AS question) AS q
            JOIN ${registry.get('knowledge-base-articles').table} AS a ON a.search_vector @@ q.question
           WHERE a.account_id = $1 AND a.deleted_at IS NULL AND a.status = 'published'
           ORDER BY ts_rank(a.search_vector, q.question) DESC, a.published_at DESC, a.id LIMIT $3`,
    parameters: [tx.accountId, text.slice(0, SEARCH_CHARS), DRAFT_LIMITS.articles],
  });
  return rows.map((row) => ({ id: row.id as string, title: row.title as string, body: row.body as string }));
}

async function customerRecords(tx: TenantTransaction, registry: Registry, principal: Principal, customerId: string) {
  const may = (collection: string) => hasScope(principal, `read:${collection}`);
  const [customer] = may('customers')
    ? await tx.query(selectRow(registry.get('customers'), tx.accountId, customerId))
    : [];
  const jobs = may('jobs')
    ? await tx.query({
        sql: `SELECT * FROM ${registry.get('jobs').table}
               WHERE account_id = $1 AND customer_id = $2 AND deleted_at IS NULL AND status = ANY($3)
               ORDER BY scheduled_start ASC NULLS LAST, created_at DESC, id LIMIT $4`,
        parameters: [tx.accountId, customerId, OPEN_JOB_STATUSES, DRAFT_LIMITS.jobs],
      })
    : [];
  const invoices = may('invoices')
    ? await tx.query({
        sql: `SELECT * FROM ${registry.get('invoices').table}
               WHERE account_id = $1 AND customer_id = $2 AND status = ANY($3) AND amount_due > 0
               ORDER BY due_date ASC NULLS LAST, created_at, id LIMIT $4`,
        parameters: [tx.accountId, customerId, UNPAID_INVOICE_STATUSES, DRAFT_LIMITS.invoices],
      })
    : [];
  return {
    customer: pick(customer, CUSTOMER_FIELDS),
    jobs: jobs.map((job) => ({ ...pick(job, JOB_FIELDS)!, id: job.id as string })),
    invoices: invoices.map((invoice) => ({ ...pick(invoice, INVOICE_FIELDS)!, id: invoice.id as string })),
  };
}

/**
 * The records for a draft reply to conversation `conversationId` of the caller's account.
 * A conversation the account does not have (or another account's) is a 404.
 */
export async function gatherDraftRecords(
  runtime: Runtime,
  principal: Principal,
  conversationId: string,
): Promise<DraftRecords> {
  assertMayDraft(principal);
  const { registry } = runtime;
  const conversations = registry.get('conversations');
  if (!conversations.acceptsId(conversationId)) throw notFound(conversations.name, conversationId);
  const may = (collection: string) => hasScope(principal, `read:${collection}`);
  const withheld = ['customers', 'contacts', 'jobs', 'invoices', 'knowledge-base-articles'].filter((c) => !may(c));
  return withTenantTransaction(runtime.db, principal.accountId, async (tx) => {
    const [conversation] = await tx.query(selectRow(conversations, tx.accountId, conversationId));
    if (!conversation) throw notFound(conversations.name, conversationId);
    const messages = await recentMessages(tx, registry, conversation.id);
    const [contact] =
      conversation.contact_id && may('contacts')
        ? await tx.query(selectRow(registry.get('contacts'), tx.accountId, conversation.contact_id))
        : [];
    const customerId: string | null = conversation.customer_id ?? contact?.customer_id ?? null;
    const related = customerId
      ? await customerRecords(tx, registry, principal, customerId)
      : { customer: null, jobs: [], invoices: [] };
    // What the customer asked last is what the articles should answer; else what the thread is about.
    const question = messages.findLast((message) => message.direction === 'inbound')?.body ?? conversation.subject;
    const articles = question && may('knowledge-base-articles') ? await matchingArticles(tx, registry, question) : [];
    return {
      conversation: {
        id: conversation.id,
        channel: conversation.channel,
        subject: conversation.subject,
        status: conversation.status,
      },
      messages,
      contact: pick(contact, CONTACT_FIELDS),
      ...related,
      articles,
      withheld,
    };
  });
}
