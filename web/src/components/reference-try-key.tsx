// The API key "Try it" sends: pasted here, or pre-filled with the key this browser tab created
// last on the API keys page. It stays in this page (and that tab's sessionStorage).
import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { readTryKey } from './keys-try-key.ts';
import { TextField } from './form-fields.tsx';

export function TryKeyForm({ onUse }: { onUse(token: string): void }) {
  const [stored] = useState(readTryKey);
  const [value, setValue] = useState(stored?.secret ?? '');
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onUse(value.trim());
  };
  const hint =
    stored && stored.secret === value ? (
      <>
        Pre-filled with <strong>{stored.name}</strong>, the key you created in this browser tab (forgotten when the tab
        closes).
      </>
    ) : (
      <>
        Paste an API key (<code>fl_test_…</code>). No key yet? <Link href="/keys">Create one</Link>: this tab then
        offers it here.
      </>
    );
  return (
    <form className="toolbar reference-try-key" onSubmit={submit}>
      <TextField
        label="Key for Try it"
        name="try-key"
        type="password"
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(event) => setValue(event.target.value)}
        hint={hint}
      />
      <div className="actions">
        <button type="submit" className="button-primary">
          Use key in Try it
        </button>
        <button
          type="button"
          onClick={() => {
            setValue('');
            onUse('');
          }}
          disabled={!value}
        >
          Clear
        </button>
      </div>
    </form>
  );
}

/** The key to start with: the one this tab created, if any. */
export function initialTryKey(): string {
  return readTryKey()?.secret ?? '';
}
