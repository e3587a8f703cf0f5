// API keys: list (paged, filtered by status), create with scopes (the secret shown once and
// kept in this tab for the API reference), and per key rename, rescope, rotate and revoke.
import { useState } from 'react';
import { Link } from 'wouter';
import { fieldline } from '../api.ts';
import { useCursorList } from '../use-query.ts';
import { PageHeader } from '../components/page-header.tsx';
import { SelectField } from '../components/form-fields.tsx';
import { SecretOnce } from '../components/secret-once.tsx';
import { KeyCreateForm, type CreatedKey } from '../components/keys-create-form.tsx';
import { KeysTable } from '../components/keys-table.tsx';
import { KeyManagePanel } from '../components/keys-manage-panel.tsx';
import { rememberTryKey } from '../components/keys-try-key.ts';
import type { ApiKey } from '../components/keys-status.ts';
import './keys.css';

type StatusFilter = 'active' | 'revoked' | 'all';

const EMPTY_TEXT: Record<StatusFilter, string> = {
  active: 'No active keys. Press “New key” to create one for your integration.',
  revoked: 'No revoked keys.',
  all: 'No keys yet. Press “New key” to create one for your integration.',
};

export function ApiKeysPage() {
  const [status, setStatus] = useState<StatusFilter>('active');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [selected, setSelected] = useState<ApiKey | null>(null);
  const [revokedName, setRevokedName] = useState<string | null>(null);
  const list = useCursorList<ApiKey>(
    (cursor) => fieldline.apiKeys.list({ limit: 25, cursor, ...(status === 'all' ? {} : { status }) }),
    [status],
  );
  const onCreated = (key: CreatedKey) => {
    rememberTryKey(key);
    setCreated(key);
    setCreating(false);
    setRevokedName(null);
    list.reload();
  };
  const onChanged = (key: ApiKey) => {
    setSelected(key.status === 'active' ? key : null);
    setRevokedName(key.status === 'revoked' ? key.name : null);
    list.reload();
  };
  return (
    <section className="keys-area">
      <PageHeader
        title="API keys"
        description="Secrets your servers call the API with (Authorization: Bearer fl_…), each limited to its scopes."
      >
        <button
          type="button"
          className="button-primary"
          aria-expanded={creating}
          onClick={() => {
            setCreating((open) => !open);
            setSelected(null);
          }}
        >
          New key
        </button>
      </PageHeader>
      {created ? (
        <div className="key-created">
          <SecretOnce label={`Secret of ${created.name}`} secret={created.secret} onDismiss={() => setCreated(null)} />
          <p className="muted">
            This browser tab also keeps it for the <Link href="/reference">API reference</Link>, so you can try calls
            with the key you just created (it forgets it when the tab closes).
          </p>
        </div>
      ) : null}
      {revokedName ? (
        <p className="notice notice-info" role="status">
          The key {revokedName} is revoked.
        </p>
      ) : null}
      {creating ? <KeyCreateForm onCreated={onCreated} onCancel={() => setCreating(false)} /> : null}
      {selected ? <KeyManagePanel apiKey={selected} onChanged={onChanged} onClose={() => setSelected(null)} /> : null}
      <div className="toolbar">
        <SelectField label="Show" value={status} onChange={(event) => setStatus(event.target.value as StatusFilter)}>
          <option value="active">Active keys</option>
          <option value="revoked">Revoked keys</option>
          <option value="all">All keys</option>
        </SelectField>
      </div>
      <KeysTable
        list={list}
        selectedId={selected?.id}
        onManage={(key) => {
          setSelected(key);
          setCreating(false);
        }}
        emptyText={EMPTY_TEXT[status]}
      />
    </section>
  );
}
