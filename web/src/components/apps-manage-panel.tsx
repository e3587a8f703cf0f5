// One OAuth app's management: its settings, a new client secret (shown once), deletion.
import { useEffect, useRef, useState } from 'react';
import { fieldline } from '../api.ts';
import { ConfirmButton } from './confirm-button.tsx';
import { SecretOnce } from './secret-once.tsx';
import { AppEditForm } from './apps-edit-form.tsx';
import type { OAuthApp } from './apps-types.ts';

interface AppManagePanelProps {
  app: OAuthApp;
  onChanged(app: OAuthApp): void;
  onDeleted(app: OAuthApp): void;
  onClose(): void;
}

export function AppManagePanel({ app, onChanged, onDeleted, onClose }: AppManagePanelProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [secret, setSecret] = useState<string | null>(null);
  useEffect(() => {
    heading.current?.focus();
    setSecret(null);
  }, [app.id]);
  const rotate = async () => {
    const rotated = await fieldline.oauth.rotateClientSecret(app.id);
    setSecret(rotated.client_secret);
    onChanged(rotated);
  };
  const remove = async () => {
    await fieldline.oauth.deleteClient(app.id);
    onDeleted(app);
  };
  return (
    <section className="card key-panel" aria-labelledby="app-panel-heading">
      <div className="page-header">
        <div>
          <h2 id="app-panel-heading" ref={heading} tabIndex={-1}>
            Manage {app.name}
          </h2>
          <p className="muted">
            Client ID <code>{app.id}</code> · {app.type} · sends its secret by {app.token_endpoint_auth_method}
          </p>
        </div>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <AppEditForm key={app.id} app={app} onSaved={onChanged} />
      {app.type === 'confidential' ? (
        <>
          <h3>Client secret</h3>
          <p className="muted">A new secret ends the current one at once; tokens already issued keep working.</p>
          <ConfirmButton
            className=""
            title={`Rotate the secret of ${app.name}?`}
            confirmLabel="Rotate secret"
            description="The current client secret stops working now: update the app with the new one straight away."
            onConfirm={rotate}
          >
            New client secret
          </ConfirmButton>
          {secret ? (
            <SecretOnce label={`Client secret of ${app.name}`} secret={secret} onDismiss={() => setSecret(null)} />
          ) : null}
        </>
      ) : null}
      <h3>Delete</h3>
      <p className="muted">Every grant and token of the app ends with it, in every account that connected it.</p>
      <ConfirmButton
        title={`Delete the app ${app.name}?`}
        confirmLabel="Delete app"
        description="People who connected it lose the connection; the client ID and secret stop working for good."
        onConfirm={remove}
      >
        Delete {app.name}
      </ConfirmButton>
    </section>
  );
}
