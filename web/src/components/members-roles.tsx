// Member roles: the list the API accepts and what each may do, both from its OpenAPI document.
import type { Catalogue, RoleInfo } from '../catalogue.ts';

export const roleLabel = (role: string) => role.replace(/_/g, ' ');

/** The roles a member may have, with what each may do (the document's `x-fieldline-roles`). */
export function memberRoles(catalogue: Catalogue | undefined): RoleInfo[] {
  return catalogue?.roles ?? [];
}

/** How long an invitation stays valid, as the invite operation's description says (hours). */
export function invitationLifetimeHours(catalogue: Catalogue | undefined): number | undefined {
  const invite = catalogue?.operations.find((operation) => operation.sdkName === 'users.invite');
  const hours = /valid (\d+) hours/.exec(String(invite?.operation.description ?? ''))?.[1];
  return hours ? Number(hours) : undefined;
}

export function RoleGuide({ roles }: { roles: RoleInfo[] }) {
  return (
    <section className="card" aria-labelledby="member-roles-heading">
      <h2 id="member-roles-heading">What each role may do</h2>
      <dl className="members-roles">
        {roles.map(({ role, description, scopes }) => (
          <div key={role}>
            <dt>
              <span className="badge">{roleLabel(role)}</span>
            </dt>
            <dd>
              {description}{' '}
              <span className="muted">
                ({scopes.join(', ').length > 60 ? `${scopes.length} scopes` : scopes.join(', ')})
              </span>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
