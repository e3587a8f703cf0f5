// Changes an OAuth app (PATCH /v1/oauth/clients/{id}): name, redirect URIs, scopes, browser
// origins, and disabling it (which stops all its tokens at once).
import { useState } from 'react';
import { fieldline } from '../api.ts';
import { useSaveForm } from '../use-action.ts';
import { Checkbox, TextArea, TextField } from './form-fields.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { ScopePicker } from './keys-scope-picker.tsx';
import { linesOf, toLines } from './apps-lines.ts';
import { isWildcardScope, type OAuthApp } from './apps-types.ts';

export function AppEditForm({ app, onSaved }: { app: OAuthApp; onSaved(app: OAuthApp): void }) {
  const [name, setName] = useState(app.name);
  const [redirects, setRedirects] = useState(toLines(app.redirect_uris));
  const [scopes, setScopes] = useState<string[]>(app.scopes);
  const [origins, setOrigins] = useState(toLines(app.allowed_origins));
  const [disabled, setDisabled] = useState(app.disabled);
  const save = useSaveForm(
    () =>
      fieldline.oauth.updateClient(app.id, {
        name,
        redirect_uris: linesOf(redirects),
        scopes,
        allowed_origins: linesOf(origins),
        disabled,
      }),
    onSaved,
  );
  const edited =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      save.edited();
    };
  return (
    <form onSubmit={save.onSubmit} aria-labelledby="edit-app-heading">
      <h3 id="edit-app-heading">Settings</h3>
      <TextField
        label="App name"
        value={name}
        onChange={(event) => edited(setName)(event.target.value)}
        required
        maxLength={200}
      />
      <div className="grid-2">
        <TextArea
          label="Redirect URIs"
          value={redirects}
          onChange={(event) => edited(setRedirects)(event.target.value)}
          hint="One a line."
        />
        <TextArea
          label="Allowed browser origins"
          value={origins}
          onChange={(event) => edited(setOrigins)(event.target.value)}
          hint="One a line. Removing one applies to issued tokens at once."
        />
      </div>
      <ScopePicker value={scopes} onChange={edited(setScopes)} legend="App scopes" exclude={isWildcardScope} />
      <Checkbox
        label="Disabled: the app gets no tokens and its issued tokens stop working"
        checked={disabled}
        onChange={(event) => edited(setDisabled)(event.target.checked)}
      />
      <ProblemNotice error={save.error} title="The app was not changed" />
      <div className="actions">
        <button type="submit" className="button-primary" disabled={save.busy || !scopes.length}>
          {save.busy ? 'Saving…' : 'Save app'}
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
