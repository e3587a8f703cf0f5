// The transaction a customer operation works in: the customer's account, as the customer (the
// request's address included, for what records it, like an acceptance).
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import { accountPrincipal, type Principal } from '../platform/operations/principal.ts';
import type { OperationCall } from '../platform/api/operation.ts';
import type { OperationContext } from '../platform/contract.ts';

export function asCustomer<T>(call: OperationCall<any, any>, work: (ctx: OperationContext) => Promise<T>): Promise<T> {
  const principal: Principal = { ...call.principal, clientIp: call.clientIp ?? undefined };
  return withTenantTransaction(call.runtime.db, principal.accountId, (tx) =>
    work(createOperationContext(tx, principal, call.runtime, call.requestId)),
  );
}

/** Signing in: the account's own context, before anyone is known. */
export function asAccount<T>(
  call: OperationCall<any, any>,
  accountId: string,
  work: (ctx: OperationContext) => Promise<T>,
): Promise<T> {
  return withTenantTransaction(call.runtime.db, accountId, (tx) =>
    work(createOperationContext(tx, accountPrincipal(accountId), call.runtime, call.requestId)),
  );
}

/** The customer the caller is: customer operations always have one. */
export const customerIdOf = (ctx: OperationContext): string => ctx.principal.customerId!;
