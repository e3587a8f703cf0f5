// A person acting in an account through their membership (the `users` row): the scopes of
// their role. Sessions and OAuth tokens a member granted both become this principal.
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import { accountStatusField, type Principal } from '../platform/operations/principal.ts';
import { effectiveRates } from '../limits/plans.ts';
import { planFromRow, planOfAccountSql } from '../billing/plan-rows.ts';
import { roleScopes, type Role } from './roles.ts';
import type { Registry } from '../platform/contract.ts';

/** The principal of `personId`'s membership in `accountId`, or null when they are not an active member. */
export async function memberPrincipal(
  db: Database,
  registry: Registry,
  personId: string,
  accountId: string,
): Promise<Principal | null> {
  const [row] = await systemQuery(db, {
    sql: `SELECT u.id, u.role, ${planOfAccountSql('a')} AS plan_row, a.cors_allowed_origins, a.status AS account_status
            FROM users u JOIN accounts a ON a.id = u.account_id
           WHERE u.account_id = $1 AND u.person_id = $2 AND u.status = 'active' AND u.deleted_at IS NULL`,
    parameters: [accountId, personId],
  });
  if (!row) return null;
  const plan = planFromRow(row.plan_row);
  return {
    accountId,
    personId,
    userId: row.id,
    role: row.role,
    scopes: new Set(roleScopes(registry, row.role as Role)),
    plan,
    rates: effectiveRates(plan, null),
    allowedOrigins: new Set(row.cors_allowed_origins),
    ...accountStatusField(row.account_status),
  };
}
