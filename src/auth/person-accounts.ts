// The accounts a person acts in: those they are an active member of, and their own new one
// (sign-up): the account row, then the person as its owner member, created through the users
// resource like any member (its checks, its `user.created` event).
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import { accountPrincipal } from '../platform/operations/principal.ts';
import { insertValidated } from '../platform/operations/create.ts';
import { prepareAccount } from './accounts.ts';
import type { Runtime } from '../platform/contract.ts';

/** A person's active memberships, the one they joined first first. */
export function memberships(db: Database, personId: string) {
  return systemQuery(db, {
    sql: `SELECT u.account_id, a.name AS account_name, u.id AS user_id, u.role FROM users u
           JOIN accounts a ON a.id = u.account_id
           WHERE u.person_id = $1 AND u.status = 'active' AND u.deleted_at IS NULL ORDER BY u.created_at, u.id`,
    parameters: [personId],
  });
}

export async function createAccountForPerson(
  runtime: Runtime,
  person: { id: string; name: string; email: string },
  accountName: string,
) {
  const { account, statement } = prepareAccount({ name: accountName });
  const accountId = account.id;
  await systemQuery(runtime.db, statement);
  try {
    const user = await withTenantTransaction(runtime.db, accountId, (tx) => {
      const ctx = createOperationContext(tx, accountPrincipal(accountId), runtime);
      return insertValidated(ctx, runtime.registry.get('users'), {
        name: person.name,
        email: person.email,
        role: 'owner',
        status: 'active',
        person_id: person.id,
      });
    });
    return { accountId, userId: user.id };
  } catch (error) {
    await systemQuery(runtime.db, { sql: 'DELETE FROM accounts WHERE id = $1', parameters: [accountId] }).catch(
      () => undefined,
    );
    throw error;
  }
}
