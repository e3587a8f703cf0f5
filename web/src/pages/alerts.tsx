// Alerts: rules that watch the account's API traffic (create, edit, delete), and the history
// of every time one fired.
import { useState } from 'react';
import { fieldline } from '../api.ts';
import { useCursorList, useQuery } from '../use-query.ts';
import { PageHeader } from '../components/page-header.tsx';
import { AlertsRuleForm } from '../components/alerts-rule-form.tsx';
import { AlertsRulesTable } from '../components/alerts-rules-table.tsx';
import { AlertsHistory } from '../components/alerts-history.tsx';
import type { AlertRule } from '../components/alerts-metrics.ts';
import './analytics.css';

export function AlertsPage() {
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<AlertRule | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const rules = useCursorList<AlertRule>(
    (cursor) => fieldline.alertRules.list({ limit: 25, cursor, sort: 'name' }),
    [version],
  );
  const ruleNames = useQuery(() => fieldline.alertRules.list({ limit: 100, sort: 'name' }), [version]);
  const changed = (text: string) => {
    setMessage(text);
    setVersion((v) => v + 1);
  };
  return (
    <section className="analytics">
      <PageHeader
        title="Alerts"
        description={
          'Be told when the API traffic looks wrong: rules are checked every minute; ' +
          'each firing mails its addresses, notifies its team members ' +
          'and sends alert.triggered / alert.resolved events.'
        }
      >
        <button
          type="button"
          className="button-primary"
          aria-expanded={creating}
          onClick={() => {
            setCreating((open) => !open);
            setEditing(null);
            setMessage(null);
          }}
        >
          New rule
        </button>
      </PageHeader>
      {message ? (
        <p className="notice notice-info" role="status">
          {message}
        </p>
      ) : null}
      {creating ? (
        <AlertsRuleForm
          onCancel={() => setCreating(false)}
          onSaved={(rule) => {
            setCreating(false);
            changed(`The rule ${rule.name} is created and will be checked within a minute.`);
          }}
        />
      ) : null}
      {editing ? (
        <AlertsRuleForm
          key={editing.id}
          rule={editing}
          onCancel={() => setEditing(null)}
          onSaved={(rule) => {
            setEditing(null);
            changed(`The rule ${rule.name} is saved.`);
          }}
        />
      ) : null}
      <h2>Rules</h2>
      <AlertsRulesTable
        list={rules}
        editingId={editing?.id}
        onEdit={(rule) => {
          setEditing(rule);
          setCreating(false);
          setMessage(null);
        }}
        onDeleted={(rule) => {
          if (editing?.id === rule.id) setEditing(null);
          changed(`The rule ${rule.name} is deleted.`);
        }}
      />
      <h2>Alert history</h2>
      <AlertsHistory rules={ruleNames.data?.data ?? []} version={version} />
    </section>
  );
}
