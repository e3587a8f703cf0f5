// Choosing the event types an endpoint receives: "all events", or types from the API's event
// catalogue grouped by collection, with a filter box and a select-all per group.
import { useMemo, useState } from 'react';
import { useCatalogue, type EventType } from '../catalogue.ts';
import { Checkbox, TextField } from './form-fields.tsx';
import { ProblemNotice } from './problem-notice.tsx';

export const ALL_EVENTS = '*';
/** The API refuses more than this many types in enabled_events (maxItems). */
export const MAX_EVENT_TYPES = 50;

interface EventGroup {
  collection: string;
  events: EventType[];
}

function groupEvents(events: EventType[], filter: string): EventGroup[] {
  const needle = filter.trim().toLowerCase();
  const groups = new Map<string, EventType[]>();
  for (const event of events) {
    const collection = event.collection ?? 'other';
    if (needle && !`${event.type} ${collection}`.toLowerCase().includes(needle)) continue;
    groups.set(collection, [...(groups.get(collection) ?? []), event]);
  }
  return [...groups]
    .map(([collection, members]) => ({ collection, events: members }))
    .sort((a, b) => a.collection.localeCompare(b.collection));
}

/** The chosen types, the first few by name. */
function selectedSummary(types: string[], shown = 6): string {
  const sorted = [...types].sort();
  return sorted.length <= shown
    ? sorted.join(', ')
    : `${sorted.slice(0, shown).join(', ')} and ${sorted.length - shown} more`;
}

export function WebhookEventPicker({ value, onChange }: { value: string[]; onChange(next: string[]): void }) {
  const catalogue = useCatalogue();
  const [filter, setFilter] = useState('');
  const groups = useMemo(() => groupEvents(catalogue.data?.events ?? [], filter), [catalogue.data, filter]);
  const all = value.includes(ALL_EVENTS);
  const selected = new Set(value);
  const setTypes = (types: string[], on: boolean) => {
    const next = new Set(selected);
    next.delete(ALL_EVENTS);
    for (const type of types) {
      if (on) next.add(type);
      else next.delete(type);
    }
    onChange([...next]);
  };
  return (
    <fieldset>
      <legend>Events to send</legend>
      <Checkbox
        label={
          <span>
            <strong>All events (*)</strong> <span className="muted">including types added later</span>
          </span>
        }
        checked={all}
        onChange={(event) => onChange(event.target.checked ? [ALL_EVENTS] : [])}
      />
      {all ? null : (
        <>
          <TextField
            label="Filter event types"
            type="search"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
            hint="Part of a type or collection, e.g. invoice or .paid"
          />
          <p className="muted" aria-live="polite">
            {value.length
              ? `${value.length} selected: ${selectedSummary(value)}`
              : 'None selected yet: pick at least one type, or all events.'}
            {value.length > MAX_EVENT_TYPES
              ? ` At most ${MAX_EVENT_TYPES} can be named: choose “All events (*)” instead.`
              : ''}
          </p>
          <ProblemNotice error={catalogue.error} title="The event catalogue did not load" />
          <div className="webhook-picker-groups" aria-busy={catalogue.loading}>
            {catalogue.loading && !catalogue.data ? <p className="empty">Loading event types…</p> : null}
            {catalogue.data && !groups.length ? (
              <p className="empty">No event type matches “{filter}”. Clear the filter to see them all.</p>
            ) : null}
            {groups.map((group) => (
              <PickerGroup key={group.collection} group={group} selected={selected} setTypes={setTypes} />
            ))}
          </div>
        </>
      )}
    </fieldset>
  );
}

function PickerGroup({
  group,
  selected,
  setTypes,
}: {
  group: EventGroup;
  selected: Set<string>;
  setTypes(types: string[], on: boolean): void;
}) {
  const types = group.events.map((event) => event.type);
  const chosen = types.filter((type) => selected.has(type)).length;
  return (
    <fieldset>
      <legend>
        {group.collection}{' '}
        <span className="muted">
          ({chosen}/{types.length})
        </span>
      </legend>
      <Checkbox
        label={`Select all ${group.collection}`}
        checked={chosen === types.length}
        onChange={(event) => setTypes(types, event.target.checked)}
      />
      <div className="picker">
        {group.events.map((event) => (
          <label key={event.type} className="checkbox webhook-event-option">
            <input
              type="checkbox"
              checked={selected.has(event.type)}
              onChange={(change) => setTypes([event.type], change.target.checked)}
            />
            <span>
              <code>{event.type}</code>
              <small className="muted">{event.description}</small>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
