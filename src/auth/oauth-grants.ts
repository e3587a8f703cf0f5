// Ending OAuth grants: a person's consents, their tokens and the authorization codes not yet
// exchanged, narrowed to an app, a person and/or an account. Used when an app is disconnected,
// a member leaves or is deactivated (so re-activation does not bring old grants back) and when a
// password is reset (an app someone else connected with it stops). The token table's trigger
// tells every node's cache.
import type { SqlStatement } from '../db/inline-parameters.ts';
import { systemTransaction } from '../db/system-query.ts';
import type { Database } from '../db/database.ts';
import type { OperationContext } from '../platform/contract.ts';

export interface GrantSelector {
  clientId?: string;
  personId?: string;
  accountId?: string;
}

export function grantEndingStatements(selector: GrantSelector): SqlStatement[] {
  const conditions: string[] = [];
  const parameters: unknown[] = [];
  const where = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    parameters.push(value);
    conditions.push(`${column} = $${parameters.length}`);
  };
  where('client_id', selector.clientId);
  where('person_id', selector.personId);
  where('reference_id', selector.accountId);
  if (conditions.length === 0) throw new Error('grantEndingStatements needs a selector');
  const filter = conditions.join(' AND ');
  // Codes live in Better Auth's verifications as JSON; other verifications there are not JSON, hence the guard.
  const code = (path: string) =>
    `CASE WHEN value LIKE '{"type":"authorization_code"%' THEN value::jsonb #>> '{${path}}' END`;
  const codeFilter = conditions
    .map((condition) =>
      condition
        .replace('client_id', code('query,client_id'))
        .replace('person_id', code('userId'))
        .replace('reference_id', code('referenceId')),
    )
    .join(' AND ');
  return [
    { sql: `DELETE FROM oauth_consents WHERE ${filter} RETURNING client_id`, parameters },
    { sql: `DELETE FROM oauth_access_tokens WHERE ${filter}`, parameters },
    { sql: `DELETE FROM oauth_refresh_tokens WHERE ${filter}`, parameters },
    { sql: `DELETE FROM verifications WHERE ${codeFilter}`, parameters },
  ];
}

/** Ends the grants now; answers how many consents there were. */
export async function endGrants(db: Database, selector: GrantSelector): Promise<number> {
  const [consents] = await systemTransaction(db, grantEndingStatements(selector));
  return consents.length;
}

/** A member left the account or was deactivated: their grants in it end once that commits. */
export function endMemberGrantsAtCommit(ctx: OperationContext, personId: string): void {
  const accountId = ctx.tx.accountId;
  ctx.tx.afterCommit(async () => {
    await endGrants(ctx.runtime.db, { personId, accountId });
  });
}
