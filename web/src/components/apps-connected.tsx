// Apps this account's members have let in (by consent), whoever registered them; disconnecting
// one ends its grants and tokens in this account.
import { fieldline } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { ConfirmButton } from './confirm-button.tsx';
import { formatDate } from './format.ts';
import { Pager } from './pager.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { scopeSummary } from './keys-status.ts';
import { useLocalPages } from './apps-local-pages.ts';

export function ConnectedApps() {
  const connected = useQuery(() => fieldline.oauth.listConnectedApps(), []);
  const pages = useLocalPages(connected.data ?? [], 20);
  return (
    <section aria-labelledby="connected-heading">
      <h2 id="connected-heading">Connected apps</h2>
      <p className="muted">
        Apps that people in this account allowed to act for them, including apps other companies registered.
      </p>
      <ProblemNotice error={connected.error} />
      <div className="table-wrap" aria-busy={connected.loading}>
        <table>
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">Scopes granted</th>
              <th scope="col">Granted by</th>
              <th scope="col">Since</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((app) => (
              <tr key={app.id}>
                <td>
                  <strong>{app.name}</strong>
                  <div className="muted">
                    <code>{app.id}</code>
                  </div>
                </td>
                <td title={app.scopes.join(' ')}>{scopeSummary(app.scopes, 3)}</td>
                <td>{app.people.map((person) => person.email).join(', ')}</td>
                <td>{formatDate(app.first_granted_at)}</td>
                <td>
                  <ConfirmButton
                    title={`Disconnect ${app.name}?`}
                    confirmLabel="Disconnect"
                    description={
                      'Its access in this account ends now (grants, access and refresh tokens); ' +
                      'it must ask for consent again.'
                    }
                    onConfirm={async () => {
                      await fieldline.oauth.disconnectApp(app.id);
                      connected.reload();
                    }}
                  >
                    Disconnect {app.name}
                  </ConfirmButton>
                </td>
              </tr>
            ))}
            {!pages.items.length ? (
              <tr>
                <td colSpan={5} className="empty">
                  {connected.loading
                    ? 'Loading connected apps…'
                    : 'No app is connected. Apps appear here once someone ' +
                      'in this account approves one on its consent screen.'}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager list={pages} label="Connected app pages" />
    </section>
  );
}
