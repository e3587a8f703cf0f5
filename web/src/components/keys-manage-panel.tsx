// One API key's management: rename and rescope, rotate the secret, revoke.
import { useEffect, useRef } from 'react';
import { fieldline } from '../api.ts';
import { ConfirmButton } from './confirm-button.tsx';
import { KeyEditForm } from './keys-edit-form.tsx';
import { KeyRotateForm } from './keys-rotate-form.tsx';
import { keyHint, type ApiKey } from './keys-status.ts';
import { updateTryKey } from './keys-try-key.ts';

interface KeyManagePanelProps {
  apiKey: ApiKey;
  onChanged(key: ApiKey): void;
  onClose(): void;
}

export function KeyManagePanel({ apiKey, onChanged, onClose }: KeyManagePanelProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Focus follows the person to the panel they opened (it sits above the list).
  useEffect(() => {
    heading.current?.focus();
  }, [apiKey.id]);
  const revoke = async () => {
    const revoked = await fieldline.apiKeys.revoke(apiKey.id);
    updateTryKey(apiKey.id, null);
    onChanged(revoked);
    onClose();
  };
  return (
    <section className="card key-panel" aria-labelledby="key-panel-heading">
      <div className="page-header">
        <div>
          <h2 id="key-panel-heading" ref={heading} tabIndex={-1}>
            Manage {apiKey.name}
          </h2>
          <p className="muted">
            <code>{keyHint(apiKey)}</code> · {apiKey.mode} · <code>{apiKey.id}</code>
          </p>
        </div>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <KeyEditForm key={apiKey.id} apiKey={apiKey} onSaved={onChanged} />
      <KeyRotateForm key={`rotate-${apiKey.id}`} apiKey={apiKey} onRotated={onChanged} />
      <h3>Revoke</h3>
      <p className="muted">The key is refused from its next request on. It stays listed, and cannot be restored.</p>
      <ConfirmButton
        title={`Revoke the key ${apiKey.name}?`}
        confirmLabel="Revoke key"
        description="Every request with this key (and any secret of it still in its grace period) gets 401 from now on."
        onConfirm={revoke}
      >
        Revoke {apiKey.name}
      </ConfirmButton>
    </section>
  );
}
