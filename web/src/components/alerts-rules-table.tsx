// The account's alert rules, a page at a time: what each watches, who it tells, whether it is
// firing now, and edit / delete.
import { fieldline } from '../api.ts';
import type { CursorList } from '../use-query.ts';
import { ConfirmButton } from './confirm-button.tsx';
import { formatDate } from './format.ts';
import { Pager } from './pager.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { metricValue, ruleCondition, type AlertRule } from './alerts-metrics.ts';

interface AlertsRulesTableProps {
  list: CursorList<AlertRule>;
  editingId: string | undefined;
  onEdit(rule: AlertRule): void;
  onDeleted(rule: AlertRule): void;
}

function recipients(rule: AlertRule): string {
  const parts = [];
  if (rule.notify_emails.length)
    parts.push(rule.notify_emails.length === 1 ? rule.notify_emails[0] : `${rule.notify_emails.length} addresses`);
  if (rule.notify_user_ids.length)
    parts.push(`${rule.notify_user_ids.length} team member${rule.notify_user_ids.length === 1 ? '' : 's'}`);
  return parts.join(', ') || 'Nobody (events only)';
}

export function AlertsRulesTable({ list, editingId, onEdit, onDeleted }: AlertsRulesTableProps) {
  return (
    <>
      <ProblemNotice error={list.error} />
      <div className="table-wrap" aria-busy={list.loading}>
        <table>
          <caption className="sr-only">Alert rules</caption>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Fires when</th>
              <th scope="col">Notifies</th>
              <th scope="col">State</th>
              <th scope="col" className="num">
                Last value
              </th>
              <th scope="col">Last checked</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((rule) => (
              <tr key={rule.id} className={rule.id === editingId ? 'selected' : undefined}>
                <td>
                  <strong>{rule.name}</strong>
                </td>
                <td>{ruleCondition(rule)}</td>
                <td>{recipients(rule)}</td>
                <td>
                  {!rule.enabled ? (
                    <span className="badge">Disabled</span>
                  ) : rule.state === 'firing' ? (
                    <span className="badge badge-bad">Firing</span>
                  ) : (
                    <span className="badge badge-good">OK</span>
                  )}
                </td>
                <td className="num">{metricValue(rule.metric, rule.last_value)}</td>
                <td className="nowrap">
                  {rule.last_evaluated_at ? formatDate(rule.last_evaluated_at) : <span className="muted">Not yet</span>}
                </td>
                <td>
                  <div className="actions row-actions">
                    <button type="button" aria-label={`Edit ${rule.name}`} onClick={() => onEdit(rule)}>
                      Edit
                    </button>
                    <ConfirmButton
                      title={`Delete the rule ${rule.name}?`}
                      confirmLabel="Delete rule"
                      description={
                        'It stops being checked. ' +
                        'Its alerts stay in the history; one still open is resolved at the next check.'
                      }
                      onConfirm={async () => {
                        await fieldline.alertRules.delete(rule.id);
                        onDeleted(rule);
                      }}
                    >
                      Delete<span className="sr-only"> {rule.name}</span>
                    </ConfirmButton>
                  </div>
                </td>
              </tr>
            ))}
            {!list.items.length ? (
              <tr>
                <td colSpan={7} className="empty">
                  {list.loading
                    ? 'Loading rules…'
                    : 'No alert rules yet. Press “New rule” to be told when errors, ' +
                      'latency or quota use cross a threshold.'}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager list={list} label="Alert rule pages" />
    </>
  );
}
