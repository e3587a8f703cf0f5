// A person's own new account (sign-up): the account row, then the person as its owner member,
// created through the users resource like any member (its checks, its `user.created` event).
import { systemQuery } from '../db/system-query.ts';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { newId } from '../platform/ids.ts';
import type { Runtime } from '../platform/operations/runtime.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import { accountPrincipal } from '../platform/operations/principal.ts';
import { insertValidated } from '../platform/operations/create.ts';
import { DEFAULT_PLAN } from '../limits/plans.ts';

export async function createAccountForPerson(runtime: Runtime, person: { id: string; name: string; email: string }, accountName: string) {
  const accountId = newId('acct');
  await systemQuery(runtime.db, {
    sql: 'INSERT INTO accounts (id, name, plan, created_at, updated_at) VALUES ($1, $2, $3, now(), now())',
    parameters: [accountId, accountName, DEFAULT_PLAN],
  });
  try {
    const user = await withTenantTransaction(runtime.db, accountId, (tx) => {
      const ctx = createOperationContext(tx, accountPrincipal(accountId), runtime);
      return insertValidated(ctx, runtime.registry.get('users'), {
        name: person.name, email: person.email, role: 'owner', status: 'active', person_id: person.id,
      });
    });
    return { accountId, userId: user.id as string };
  } catch (error) {
    await systemQuery(runtime.db, { sql: 'DELETE FROM accounts WHERE id = $1', parameters: [accountId] }).catch(() => undefined);
    throw error;
  }
}
