// Alert history (GET /v1/alerts): each time a rule fired, from trigger to resolution, newest
// first, filtered by rule and state, a page at a time.
import { useState } from 'react';
import { fieldline } from '../api.ts';
import { useCursorList } from '../use-query.ts';
import { formatDate } from './format.ts';
import { SelectField } from './form-fields.tsx';
import { Pager } from './pager.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { METRICS, metricValue, type Alert, type AlertRule } from './alerts-metrics.ts';

type StateFilter = '' | 'firing' | 'resolved';

/** `rules`: for the filter and for naming rules (a deleted rule shows its id). `version` reloads. */
export function AlertsHistory({ rules, version }: { rules: AlertRule[]; version: number }) {
  const [ruleId, setRuleId] = useState('');
  const [state, setState] = useState<StateFilter>('');
  const list = useCursorList<Alert>(
    (cursor) =>
      fieldline.alerts.list({
        limit: 25,
        cursor,
        sort: '-triggered_at',
        ...(ruleId ? { alert_rule_id: ruleId } : {}),
        ...(state ? { status: state } : {}),
      }),
    [ruleId, state, version],
  );
  const names = new Map(rules.map((rule) => [rule.id, rule.name]));
  const filtered = Boolean(ruleId || state);
  return (
    <>
      <div className="toolbar">
        <SelectField label="Rule" value={ruleId} onChange={(event) => setRuleId(event.target.value)}>
          <option value="">All rules</option>
          {rules.map((rule) => (
            <option key={rule.id} value={rule.id}>
              {rule.name}
            </option>
          ))}
        </SelectField>
        <SelectField label="State" value={state} onChange={(event) => setState(event.target.value as StateFilter)}>
          <option value="">Firing and resolved</option>
          <option value="firing">Firing</option>
          <option value="resolved">Resolved</option>
        </SelectField>
      </div>
      <ProblemNotice error={list.error} />
      <div className="table-wrap" aria-busy={list.loading}>
        <table>
          <caption className="sr-only">Alerts, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Triggered</th>
              <th scope="col">Rule</th>
              <th scope="col">Metric</th>
              <th scope="col" className="num">
                Threshold
              </th>
              <th scope="col" className="num">
                Value
              </th>
              <th scope="col" className="num">
                Peak
              </th>
              <th scope="col">State</th>
              <th scope="col">Resolved</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((alert) => {
              const words = alert.metric ? METRICS[alert.metric] : undefined;
              return (
                <tr key={alert.id}>
                  <td className="nowrap">{formatDate(alert.triggered_at)}</td>
                  <td>
                    {names.get(alert.alert_rule_id ?? '') ?? (
                      <span className="muted" title="A deleted rule">
                        {alert.alert_rule_id ?? '—'}
                      </span>
                    )}
                  </td>
                  <td>
                    {words?.label ?? alert.metric ?? '—'}
                    {words?.windowed ? <span className="muted"> · {alert.window_minutes} min</span> : null}
                  </td>
                  <td className="num">{metricValue(alert.metric, alert.threshold)}</td>
                  <td className="num">{metricValue(alert.metric, alert.value)}</td>
                  <td className="num">{metricValue(alert.metric, alert.peak_value)}</td>
                  <td>
                    {alert.status === 'firing' ? (
                      <span className="badge badge-bad">Firing</span>
                    ) : (
                      <span className="badge badge-good">Resolved</span>
                    )}
                  </td>
                  <td className="nowrap">
                    {alert.resolved_at ? (
                      <>
                        {formatDate(alert.resolved_at)}{' '}
                        <span className="muted">at {metricValue(alert.metric, alert.resolved_value)}</span>
                      </>
                    ) : (
                      <span className="muted">Open</span>
                    )}
                  </td>
                </tr>
              );
            })}
            {!list.items.length ? (
              <tr>
                <td colSpan={8} className="empty">
                  {list.loading
                    ? 'Loading alerts…'
                    : filtered
                      ? 'No alert matches these filters.'
                      : 'No alert has fired yet. ' +
                        'Rules are checked every minute; an alert opens here when one crosses its threshold.'}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager list={list} label="Alert history pages" />
    </>
  );
}
