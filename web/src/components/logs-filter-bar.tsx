// The request log's filter controls: status, route template, API key, time range and whether the
// portal's own calls are included. Choices apply at once; typed values (route, exact code) apply
// with Enter or "Apply".
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useCatalogue } from '../catalogue.ts';
import { Checkbox, SelectField, TextField } from './form-fields.tsx';
import { INCLUDE_PORTAL_HINT, INCLUDE_PORTAL_LABEL } from './traffic-filter.ts';
import { keyLabel, type KeyNames } from './logs-key-names.ts';
import {
  RANGE_LABELS,
  STATUS_CLASSES,
  fromLocalInput,
  isExactStatus,
  toLocalInput,
  type LogFilters,
  type RangeChoice,
} from './logs-filters.ts';

const STATUS_WORDS: Record<(typeof STATUS_CLASSES)[number], string> = {
  '2xx': '2xx success',
  '3xx': '3xx redirects',
  '4xx': '4xx client errors',
  '5xx': '5xx server errors',
};

interface LogsFilterBarProps {
  filters: LogFilters;
  onChange(next: LogFilters): void;
  keys: KeyNames;
}

export function LogsFilterBar({ filters, onChange, keys }: LogsFilterBarProps) {
  const catalogue = useCatalogue();
  const routes = useMemo(
    () => [...new Set((catalogue.data?.operations ?? []).map((op) => op.path))].sort(),
    [catalogue.data],
  );
  const [route, setRoute] = useState(filters.route);
  const [exact, setExact] = useState(isExactStatus(filters.status));
  const [code, setCode] = useState(isExactStatus(filters.status) ? filters.status : '');
  useEffect(() => {
    setRoute(filters.route);
  }, [filters.route]);
  // An exact code in the URL shows the code box; a class leaves it. No status at all keeps the
  // box open if the person just chose "Exact code…" and has not typed one yet.
  useEffect(() => {
    if (isExactStatus(filters.status)) {
      setExact(true);
      setCode(filters.status);
    } else if (filters.status) setExact(false);
  }, [filters.status]);

  const change = (part: Partial<LogFilters>) => onChange({ ...filters, ...part });
  const apply = (event: FormEvent) => {
    event.preventDefault();
    change({ route: route.trim(), ...(exact && isExactStatus(code) ? { status: code } : {}) });
  };
  const chooseStatus = (value: string) => {
    setExact(value === 'exact');
    change({ status: value === 'exact' ? (isExactStatus(code) ? code : '') : value });
  };
  const filtered = Boolean(
    filters.status || filters.route || filters.apiKeyId || filters.range !== '24h' || filters.traffic === 'all',
  );

  return (
    <form className="toolbar logs-filters" onSubmit={apply} aria-label="Filter requests">
      <SelectField
        label="Status"
        value={exact ? 'exact' : filters.status}
        onChange={(event) => chooseStatus(event.target.value)}
      >
        <option value="">Any status</option>
        {STATUS_CLASSES.map((cls) => (
          <option key={cls} value={cls}>
            {STATUS_WORDS[cls]}
          </option>
        ))}
        <option value="exact">Exact code…</option>
      </SelectField>
      {exact ? (
        <TextField
          label="Status code (e.g. 404)"
          inputMode="numeric"
          pattern="[1-5][0-9][0-9]"
          maxLength={3}
          size={5}
          value={code}
          onChange={(event) => setCode(event.target.value.trim())}
          onBlur={() => {
            if (isExactStatus(code)) change({ status: code });
          }}
        />
      ) : null}
      <TextField
        label="Route template"
        list="logs-route-templates"
        value={route}
        onChange={(event) => setRoute(event.target.value)}
        onBlur={() => {
          if (route.trim() !== filters.route) change({ route: route.trim() });
        }}
        size={24}
      />
      <datalist id="logs-route-templates">
        {routes.map((path) => (
          <option key={path} value={path} />
        ))}
      </datalist>
      <SelectField
        label="API key"
        value={filters.apiKeyId}
        onChange={(event) => change({ apiKeyId: event.target.value })}
        aria-busy={keys.loading}
      >
        <option value="">{filters.traffic === 'all' ? 'Any credential' : 'Any key or OAuth app'}</option>
        {keys.keys.map((key) => (
          <option key={key.id} value={key.id}>
            {keyLabel(key)}
          </option>
        ))}
        {filters.apiKeyId && !keys.keys.some((key) => key.id === filters.apiKeyId) ? (
          <option value={filters.apiKeyId}>{filters.apiKeyId}</option>
        ) : null}
      </SelectField>
      <SelectField
        label="Time"
        value={filters.range}
        onChange={(event) => change({ range: event.target.value as RangeChoice })}
      >
        {(Object.keys(RANGE_LABELS) as RangeChoice[]).map((range) => (
          <option key={range} value={range}>
            {RANGE_LABELS[range]}
          </option>
        ))}
      </SelectField>
      {filters.range === 'custom' ? (
        <>
          <TextField
            label="From"
            type="datetime-local"
            value={toLocalInput(filters.from)}
            onChange={(event) => change({ from: fromLocalInput(event.target.value) })}
          />
          <TextField
            label="To"
            type="datetime-local"
            value={toLocalInput(filters.to)}
            onChange={(event) => change({ to: fromLocalInput(event.target.value) })}
          />
        </>
      ) : null}
      <Checkbox
        label={INCLUDE_PORTAL_LABEL}
        title={INCLUDE_PORTAL_HINT}
        checked={filters.traffic === 'all'}
        onChange={(event) => change({ traffic: event.target.checked ? 'all' : 'integrations' })}
      />
      <div className="actions">
        <button type="submit">Apply</button>
        {filtered ? (
          <button
            type="button"
            className="button-link"
            onClick={() => {
              setExact(false);
              onChange({
                status: '',
                route: '',
                apiKeyId: '',
                range: '24h',
                from: '',
                to: '',
                traffic: 'integrations',
              });
            }}
          >
            Clear filters
          </button>
        ) : null}
      </div>
    </form>
  );
}
