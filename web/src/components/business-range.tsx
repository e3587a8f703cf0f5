// The business page's range and interval pickers: a preset (counted from the account's today)
// or any from/to dates, the series' bucket, and whether to compare with the previous period.
import { Checkbox, SelectField, TextField } from './form-fields.tsx';
import { INTERVALS, PRESETS, presetOf, type Interval, type PresetId } from './business-data.ts';

export interface BusinessRange {
  /** The dates shown: those asked for, else the period the API answered for (its default). */
  from: string;
  to: string;
  interval: Interval;
  compare: boolean;
}

export function BusinessRangePicker({
  range,
  today,
  onChange,
}: {
  range: BusinessRange;
  /** The account's local date (from the dashboard answer); presets wait for it. */
  today: string | undefined;
  onChange(next: Partial<{ from: string; to: string; interval: Interval; compare: boolean }>): void;
}) {
  const preset = range.from && range.to ? presetOf(range.from, range.to, today) : 'custom';
  return (
    <div className="toolbar business-range">
      <SelectField
        label="Range"
        value={preset}
        disabled={!today}
        onChange={(event) => {
          const id = event.target.value as PresetId | 'custom';
          if (id !== 'custom' && today) onChange(PRESETS[id].window(today));
        }}
      >
        {(Object.keys(PRESETS) as PresetId[]).map((id) => (
          <option key={id} value={id}>
            {PRESETS[id].label}
          </option>
        ))}
        <option value="custom">Custom dates</option>
      </SelectField>
      <TextField
        label="From"
        type="date"
        value={range.from}
        max={range.to || undefined}
        required
        onChange={(event) => event.target.value && onChange({ from: event.target.value })}
      />
      <TextField
        label="To"
        type="date"
        value={range.to}
        min={range.from || undefined}
        required
        onChange={(event) => event.target.value && onChange({ to: event.target.value })}
      />
      <SelectField
        label="Interval"
        value={range.interval}
        onChange={(event) => onChange({ interval: event.target.value as Interval })}
      >
        {(Object.keys(INTERVALS) as Interval[]).map((id) => (
          <option key={id} value={id}>
            {INTERVALS[id]}
          </option>
        ))}
      </SelectField>
      <Checkbox
        label="Compare with the previous period"
        checked={range.compare}
        onChange={(event) => onChange({ compare: event.target.checked })}
      />
    </div>
  );
}
