// OAuth apps: the apps this account registers (client id, secret shown once, settings, secret
// rotation, deletion) and, below, the apps its people have connected.
import { useState } from 'react';
import { fieldline } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { PageHeader } from '../components/page-header.tsx';
import { SecretOnce } from '../components/secret-once.tsx';
import { AppRegisterForm } from '../components/apps-register-form.tsx';
import { AppsTable } from '../components/apps-table.tsx';
import { AppManagePanel } from '../components/apps-manage-panel.tsx';
import { ConnectedApps } from '../components/apps-connected.tsx';
import type { OAuthApp, RegisteredApp } from '../components/apps-types.ts';
import './keys.css';

export function OAuthAppsPage() {
  const apps = useQuery(() => fieldline.oauth.listClients(), []);
  const [registering, setRegistering] = useState(false);
  const [registered, setRegistered] = useState<RegisteredApp | null>(null);
  const [selected, setSelected] = useState<OAuthApp | null>(null);
  const [deletedName, setDeletedName] = useState<string | null>(null);
  const onRegistered = (app: RegisteredApp) => {
    setRegistered(app);
    setRegistering(false);
    setDeletedName(null);
    apps.reload();
  };
  return (
    <section className="keys-area">
      <PageHeader
        title="OAuth apps"
        description={
          'Apps that call Fieldline for people in other accounts (they connect with consent), ' +
          'or for this account with client credentials.'
        }
      >
        <button
          type="button"
          className="button-primary"
          aria-expanded={registering}
          onClick={() => {
            setRegistering((open) => !open);
            setSelected(null);
          }}
        >
          New app
        </button>
      </PageHeader>
      {registered ? (
        <section className="card" aria-labelledby="registered-heading">
          <h2 id="registered-heading">{registered.name} is registered</h2>
          <p>
            Client ID <code data-testid="client-id">{registered.id}</code>
          </p>
          {registered.client_secret ? (
            <SecretOnce label={`Client secret of ${registered.name}`} secret={registered.client_secret} />
          ) : (
            <p className="muted">A public client has no secret: it proves itself with PKCE (S256).</p>
          )}
          <p className="muted">
            Token endpoint <code>/v1/auth/oauth2/token</code>; server metadata at{' '}
            <a href="/.well-known/oauth-authorization-server">/.well-known/oauth-authorization-server</a>.
          </p>
          <button type="button" onClick={() => setRegistered(null)}>
            Done
          </button>
        </section>
      ) : null}
      {deletedName ? (
        <p className="notice notice-info" role="status">
          The app {deletedName} is deleted.
        </p>
      ) : null}
      {registering ? <AppRegisterForm onRegistered={onRegistered} onCancel={() => setRegistering(false)} /> : null}
      {selected ? (
        <AppManagePanel
          app={selected}
          onChanged={(app) => {
            setSelected(app);
            apps.reload();
          }}
          onDeleted={(app) => {
            setSelected(null);
            setDeletedName(app.name);
            apps.reload();
          }}
          onClose={() => setSelected(null)}
        />
      ) : null}
      <h2>Your apps</h2>
      <AppsTable
        apps={apps}
        selectedId={selected?.id}
        onManage={(app) => {
          setSelected(app);
          setRegistering(false);
        }}
      />
      <ConnectedApps />
    </section>
  );
}
