// Creates an alert rule, or edits one: what to watch, the threshold, the window, and who hears
// about it (email addresses and team members).
import { useState, type FormEvent } from 'react';
import { fieldline } from '../api.ts';
import { useAction } from '../use-action.ts';
import { Checkbox, SelectField, TextArea, TextField } from './form-fields.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { AlertsUserPicker } from './alerts-user-picker.tsx';
import { METRICS, METRIC_NAMES, type AlertRule, type MetricName } from './alerts-metrics.ts';

/** Addresses typed one per line or separated by commas. */
export function parseEmails(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .map((part) => part.trim())
        .filter(Boolean),
    ),
  ];
}

interface AlertsRuleFormProps {
  /** The rule to edit; none to create one. */
  rule?: AlertRule;
  onSaved(rule: AlertRule): void;
  onCancel(): void;
}

export function AlertsRuleForm({ rule, onSaved, onCancel }: AlertsRuleFormProps) {
  const [name, setName] = useState(rule?.name ?? '');
  const [metric, setMetric] = useState<MetricName>(rule?.metric ?? 'error_rate');
  const [threshold, setThreshold] = useState(rule ? String(rule.threshold) : '5');
  const [windowMinutes, setWindowMinutes] = useState(String(rule?.window_minutes ?? 5));
  const [minRequests, setMinRequests] = useState(String(rule?.min_requests ?? 20));
  const [emails, setEmails] = useState((rule?.notify_emails ?? []).join('\n'));
  const [userIds, setUserIds] = useState<string[]>(rule?.notify_user_ids ?? []);
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const words = METRICS[metric];
  const save = useAction(async () => {
    const body = {
      name: name.trim(),
      metric,
      threshold: Number(threshold),
      enabled,
      notify_emails: parseEmails(emails),
      notify_user_ids: userIds,
      ...(words.windowed ? { window_minutes: Number(windowMinutes) } : {}),
      ...(words.sampled ? { min_requests: Number(minRequests) } : {}),
    };
    return rule ? fieldline.alertRules.update(rule.id, body) : fieldline.alertRules.create(body);
  });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const saved = await save.run();
    if (saved) onSaved(saved as AlertRule);
  };
  const headingId = rule ? `edit-rule-${rule.id}` : 'new-rule-heading';
  return (
    <form className="card" onSubmit={submit} aria-labelledby={headingId}>
      <h2 id={headingId}>{rule ? `Edit rule: ${rule.name}` : 'New alert rule'}</h2>
      <div className="grid-2">
        <TextField
          label="Rule name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          required
          maxLength={200}
          hint="Titles the alert's mails and notifications, e.g. “API error rate above 5 %”."
        />
        <SelectField
          label="Metric"
          value={metric}
          onChange={(event) => setMetric(event.target.value as MetricName)}
          hint={words.hint}
        >
          {METRIC_NAMES.map((m) => (
            <option key={m} value={m}>
              {METRICS[m].label}
            </option>
          ))}
        </SelectField>
      </div>
      <div className="grid-3">
        <TextField
          label={`Threshold (${words.unit.trim()})`}
          type="number"
          min={0}
          max={words.unit.trim() === '%' ? 100 : undefined}
          step="any"
          required
          value={threshold}
          onChange={(event) => setThreshold(event.target.value)}
          hint="Fires when the metric is at or above this value."
        />
        {words.windowed ? (
          <TextField
            label="Window (minutes)"
            type="number"
            min={1}
            max={1440}
            step={1}
            required
            value={windowMinutes}
            onChange={(event) => setWindowMinutes(event.target.value)}
            hint="Checked every minute over the last this many minutes."
          />
        ) : (
          <p className="muted small">The month so far (UTC); checked every minute.</p>
        )}
        {words.sampled ? (
          <TextField
            label="Minimum requests"
            type="number"
            min={1}
            max={1_000_000}
            step={1}
            required
            value={minRequests}
            onChange={(event) => setMinRequests(event.target.value)}
            hint="Fewer requests than this in the window never fire."
          />
        ) : null}
      </div>
      <TextArea
        label="Notify email addresses"
        value={emails}
        onChange={(event) => setEmails(event.target.value)}
        rows={2}
        hint="One per line or separated by commas; mailed when an alert opens and when it resolves (at most 20)."
      />
      <AlertsUserPicker value={userIds} onChange={setUserIds} />
      <Checkbox
        label="Enabled (checked every minute)"
        checked={enabled}
        onChange={(event) => setEnabled(event.target.checked)}
      />
      <ProblemNotice error={save.error} title={rule ? 'The rule was not saved' : 'The rule was not created'} />
      <div className="actions">
        <button type="submit" className="button-primary" disabled={save.busy}>
          {save.busy ? 'Saving…' : rule ? 'Save rule' : 'Create rule'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
