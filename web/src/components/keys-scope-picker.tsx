// Picks scopes from the API's own list (x-fieldline-scopes): the read:* / write:* shortcuts, then
// a read and a write box per collection, with a filter for the ~90 scopes. Used for API keys
// and OAuth apps.
import { useMemo, useState } from 'react';
import { useCatalogue } from '../catalogue.ts';
import { Checkbox, TextField } from './form-fields.tsx';
import { ProblemNotice } from './problem-notice.tsx';

/** The API takes at most this many scopes on a key. */
export const MAX_SCOPES = 50;

interface ScopeRow {
  collection: string;
  scopes: { verb: string; scope: string }[];
}

function rowsOf(scopes: readonly string[]): { wildcards: string[]; rows: ScopeRow[] } {
  const wildcards: string[] = [];
  const byCollection = new Map<string, ScopeRow>();
  for (const scope of scopes) {
    const [verb, collection] = scope.split(':');
    if (collection === '*') {
      wildcards.push(scope);
      continue;
    }
    const row = byCollection.get(collection) ?? { collection, scopes: [] };
    row.scopes.push({ verb, scope });
    byCollection.set(collection, row);
  }
  return { wildcards, rows: [...byCollection.values()] };
}

const WILDCARD_WORDS: Record<string, string> = { 'read:*': 'read everything', 'write:*': 'change everything' };

interface ScopePickerProps {
  value: string[];
  onChange(next: string[]): void;
  legend?: string;
  /** Scopes not to offer (OAuth apps cannot hold the wildcards). */
  exclude?: (scope: string) => boolean;
}

export function ScopePicker({ value, onChange, legend = 'Scopes', exclude }: ScopePickerProps) {
  const catalogue = useCatalogue();
  const [filter, setFilter] = useState('');
  const offered = useMemo(
    () => (catalogue.data?.scopes ?? []).filter((scope) => !exclude?.(scope)),
    [catalogue.data, exclude],
  );
  const { wildcards, rows } = useMemo(() => rowsOf(offered), [offered]);
  const descriptions = catalogue.data?.scopeDescriptions ?? {};
  const chosen = new Set(value);
  const toggle = (scope: string, on: boolean) => {
    if (!on) return onChange(value.filter((s) => s !== scope));
    // A wildcard replaces the single scopes it covers (keeps the key under the scope limit).
    const verb = scope.endsWith(':*') ? scope.slice(0, -1) : null;
    onChange([...value.filter((s) => !verb || !s.startsWith(verb)), scope]);
  };
  const needle = filter.trim().toLowerCase();
  const shown = needle
    ? rows.filter((row) => row.collection.includes(needle) || row.scopes.some((s) => s.scope.includes(needle)))
    : rows;
  return (
    <fieldset className="scope-picker">
      <legend>{legend}</legend>
      <ProblemNotice error={catalogue.error} title="The list of scopes did not load" />
      <p className="muted scope-count" aria-live="polite">
        {value.length} selected{value.length > MAX_SCOPES ? ` — at most ${MAX_SCOPES}` : ''}. Grant only what the
        integration needs; writing does not include reading.
        {value.length ? (
          <>
            {' '}
            <button type="button" className="button-link" onClick={() => onChange([])}>
              Clear scopes
            </button>
          </>
        ) : null}
      </p>
      {value.length ? (
        <p className="scope-chosen">
          {value.map((scope) => (
            <code key={scope}>{scope}</code>
          ))}
        </p>
      ) : null}
      {wildcards.length ? (
        <div className="actions">
          {wildcards.map((scope) => (
            <Checkbox
              key={scope}
              label={
                <>
                  <code>{scope}</code> ({WILDCARD_WORDS[scope] ?? scope})
                </>
              }
              checked={chosen.has(scope)}
              onChange={(event) => toggle(scope, event.target.checked)}
            />
          ))}
        </div>
      ) : null}
      <TextField
        label="Filter scopes"
        type="search"
        value={filter}
        onChange={(event) => setFilter(event.target.value)}
        hint="E.g. customers, jobs, invoices…"
      />
      <div className="scope-rows" aria-busy={catalogue.loading}>
        {shown.map((row) => (
          <div className="scope-row" key={row.collection}>
            <span
              className="scope-collection"
              title={row.scopes.map((s) => descriptions[s.scope] ?? s.scope).join('; ')}
            >
              {row.collection}
            </span>
            {row.scopes.map(({ verb, scope }) => {
              const covered = chosen.has(`${verb}:*`);
              return (
                <Checkbox
                  key={scope}
                  label={verb}
                  aria-label={scope}
                  title={descriptions[scope] ?? scope}
                  checked={covered || chosen.has(scope)}
                  disabled={covered}
                  onChange={(event) => toggle(scope, event.target.checked)}
                />
              );
            })}
          </div>
        ))}
        {!catalogue.loading && !shown.length ? <p className="empty">No scope matches “{filter}”.</p> : null}
      </div>
    </fieldset>
  );
}
