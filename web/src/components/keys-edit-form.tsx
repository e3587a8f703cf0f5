// Renames an API key or changes its scopes or rate limits (PATCH /v1/api-keys/{id}); they apply
// from the key's next request on.
import { useState } from 'react';
import { fieldline } from '../api.ts';
import { useSaveForm } from '../use-action.ts';
import { TextField } from './form-fields.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { ScopePicker } from './keys-scope-picker.tsx';
import { draftOf, KeyRateLimitsFields, rateLimitsOf } from './keys-rate-limits.tsx';
import type { ApiKey } from './keys-status.ts';

const sameScopes = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((scope) => b.includes(scope));

export function KeyEditForm({ apiKey, onSaved }: { apiKey: ApiKey; onSaved(key: ApiKey): void }) {
  const [name, setName] = useState(apiKey.name);
  const [scopes, setScopes] = useState<string[]>(apiKey.scopes);
  const [rates, setRates] = useState(draftOf(apiKey.rate_limits));
  const rateLimits = rateLimitsOf(rates);
  const changes = {
    ...(name !== apiKey.name ? { name } : {}),
    ...(!sameScopes(scopes, apiKey.scopes) ? { scopes } : {}),
    // Compared as the form would send them: the stored JSON's key order is not the form's.
    ...(JSON.stringify(rateLimits) !== JSON.stringify(rateLimitsOf(draftOf(apiKey.rate_limits)))
      ? { rate_limits: rateLimits }
      : {}),
  };
  const save = useSaveForm(() => fieldline.apiKeys.update(apiKey.id, changes), onSaved);
  return (
    <form onSubmit={save.onSubmit} aria-labelledby="edit-key-heading">
      <h3 id="edit-key-heading">Name, scopes and rate limits</h3>
      <TextField
        label="Key name"
        value={name}
        onChange={(event) => {
          setName(event.target.value);
          save.edited();
        }}
        required
        maxLength={200}
      />
      <ScopePicker
        value={scopes}
        onChange={(next) => {
          setScopes(next);
          save.edited();
        }}
        legend="Key scopes"
      />
      <KeyRateLimitsFields
        value={rates}
        onChange={(next) => {
          setRates(next);
          save.edited();
        }}
      />
      <ProblemNotice error={save.error} title="The key was not changed" />
      <div className="actions">
        <button
          type="submit"
          className="button-primary"
          disabled={save.busy || !Object.keys(changes).length || !scopes.length}
        >
          {save.busy ? 'Saving…' : 'Save changes'}
        </button>
        {save.saved ? (
          <span className="badge badge-good" role="status">
            Saved
          </span>
        ) : null}
      </div>
    </form>
  );
}
