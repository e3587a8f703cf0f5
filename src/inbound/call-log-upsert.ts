// What every voice provider does with a call: one call log per provider call id, whatever
// order or how often its events arrive, linked to the customer on the other end of the line.
import type { Row } from '../db/database.ts';
import { selectRow } from '../platform/operations/row-statements.ts';
import type { OperationContext } from '../platform/contract.ts';

/** Who is on the line, as a provider reports it. */
export interface CallParties {
  direction: 'inbound' | 'outbound';
  from?: string | null;
  to?: string | null;
  /** A customer id the provider was given (when it placed the call for us); checked to exist. */
  customer_id?: string | null;
}

/** The call log as it stands (id, status, started_at): a late start, say, must not reopen an ended call. */
export type CurrentCall = Row | undefined;

/** Digits and a leading +: `+1 (555) 0199` and `+15550199` are one number. */
const PHONE_DIGITS_SQL = "regexp_replace(phone, '[^0-9+]', '', 'g')";
const phoneDigits = (phone: string) => phone.replace(/[^0-9+]/g, '');

/** The customer on the other end: the one the provider names if it exists, else the one with the outside number. */
export async function customerOf(ctx: OperationContext, call: CallParties): Promise<string | null> {
  const customers = ctx.registry.get('customers');
  if (call.customer_id && customers.acceptsId(call.customer_id)) {
    const [named] = await ctx.tx.query(selectRow(customers, ctx.tx.accountId, call.customer_id));
    if (named) return named.id;
  }
  const phone = call.direction === 'inbound' ? call.from : call.to;
  if (!phone || !phoneDigits(phone)) return null;
  const [customer] = await ctx.tx.query({
    sql: `SELECT id FROM customers WHERE account_id = $1 AND ${PHONE_DIGITS_SQL} = $2 AND deleted_at IS NULL
          ORDER BY created_at LIMIT 1`,
    parameters: [ctx.tx.accountId, phoneDigits(phone)],
  });
  return customer?.id ?? null;
}

/**
 * Creates the call log for `providerCallId` or updates the one there is, with `changesFor`'s
 * answer. Through ctx.create/update, so `call_log.created`/`.updated` events are written with it.
 */
export async function upsertCallLog(
  ctx: OperationContext,
  providerCallId: string,
  parties: CallParties,
  changesFor: (current: CurrentCall) => Row,
): Promise<{ id: string; created: boolean }> {
  // Events of one call may arrive at once: this lock makes the second wait and update.
  await ctx.tx.query({
    sql: 'SELECT pg_advisory_xact_lock(hashtext($1))',
    parameters: [`call-log:${ctx.tx.accountId}:${providerCallId}`],
  });
  const [current] = await ctx.tx.query({
    sql: 'SELECT id, status, started_at FROM call_logs WHERE account_id = $1 AND provider_call_id = $2',
    parameters: [ctx.tx.accountId, providerCallId],
  });
  const changes = changesFor(current);
  if (current) {
    if (Object.keys(changes).length) await ctx.update('call-logs', current.id, changes);
    return { id: current.id, created: false };
  }
  const created = await ctx.create('call-logs', {
    provider_call_id: providerCallId,
    direction: parties.direction,
    from_number: parties.from ?? undefined,
    to_number: parties.to ?? undefined,
    customer_id: await customerOf(ctx, parties),
    ...changes,
  });
  return { id: created.id, created: true };
}
