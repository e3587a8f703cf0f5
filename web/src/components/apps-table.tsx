// The account's registered OAuth apps: client id, type, how they get tokens, scopes, state.
import type { Query } from '../use-query.ts';
import { formatDate } from './format.ts';
import { Pager } from './pager.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { scopeSummary } from './keys-status.ts';
import { useLocalPages } from './apps-local-pages.ts';
import type { OAuthApp } from './apps-types.ts';

function grantsOf(app: OAuthApp): string {
  const grants = [
    ...(app.redirect_uris.length ? ['people connect'] : []),
    ...(app.client_credentials ? ['client credentials'] : []),
  ];
  return grants.join(', ') || '—';
}

export function AppsTable({
  apps,
  selectedId,
  onManage,
}: {
  apps: Query<OAuthApp[]>;
  selectedId: string | undefined;
  onManage(app: OAuthApp): void;
}) {
  const pages = useLocalPages(apps.data ?? [], 20);
  return (
    <>
      <ProblemNotice error={apps.error} />
      <div className="table-wrap" aria-busy={apps.loading}>
        <table>
          <thead>
            <tr>
              <th scope="col">App and client ID</th>
              <th scope="col">Type</th>
              <th scope="col">Grants</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((app) => (
              <tr key={app.id} className={app.id === selectedId ? 'selected' : undefined}>
                <td>
                  <strong>{app.name}</strong>
                  <div>
                    <code>{app.id}</code>
                  </div>
                  {app.uri ? <div className="muted">{app.uri}</div> : null}
                </td>
                <td>{app.type}</td>
                <td>{grantsOf(app)}</td>
                <td title={app.scopes.join(' ')}>{scopeSummary(app.scopes)}</td>
                <td>{formatDate(app.created_at)}</td>
                <td>
                  {app.disabled ? (
                    <span className="badge badge-bad">Disabled</span>
                  ) : (
                    <span className="badge badge-good">Enabled</span>
                  )}
                </td>
                <td>
                  <button type="button" aria-label={`Manage ${app.name}`} onClick={() => onManage(app)}>
                    Manage
                  </button>
                </td>
              </tr>
            ))}
            {!pages.items.length ? (
              <tr>
                <td colSpan={7} className="empty">
                  {apps.loading
                    ? 'Loading apps…'
                    : 'No OAuth apps yet. Press “New app” to let an integration act for people in other accounts, ' +
                      'or for this account with client credentials.'}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager list={pages} label="App pages" />
    </>
  );
}
