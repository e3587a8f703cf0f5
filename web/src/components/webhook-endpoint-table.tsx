// The account's webhook endpoints, a page at a time, filterable by status.
import { useState } from 'react';
import { Link } from 'wouter';
import { fieldline } from '../api.ts';
import { useCursorList } from '../use-query.ts';
import { formatDate } from './format.ts';
import { SelectField } from './form-fields.tsx';
import { Pager } from './pager.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { EndpointStatusBadge, eventsSummary } from './webhook-labels.tsx';

type StatusFilter = '' | 'enabled' | 'disabled';

/** `refreshKey`: change it to read the list again from its first page (after a create). */
export function WebhookEndpointTable({ refreshKey }: { refreshKey: number }) {
  const [status, setStatus] = useState<StatusFilter>('');
  const list = useCursorList(
    (cursor) => fieldline.webhookEndpoints.list({ limit: 20, cursor, ...(status ? { status } : {}) }),
    [status, refreshKey],
  );
  return (
    <>
      <div className="toolbar">
        <SelectField
          label="Endpoint status"
          value={status}
          onChange={(event) => setStatus(event.target.value as StatusFilter)}
        >
          <option value="">All</option>
          <option value="enabled">Enabled</option>
          <option value="disabled">Disabled</option>
        </SelectField>
      </div>
      <ProblemNotice error={list.error} />
      <div className="table-wrap webhook-table" aria-busy={list.loading}>
        <table>
          <caption className="sr-only">Webhook endpoints</caption>
          <thead>
            <tr>
              <th>URL</th>
              <th>Description</th>
              <th>Events</th>
              <th>Status</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {list.loading && !list.data ? (
              <tr className="webhook-table-loading">
                <td colSpan={5} className="empty">
                  Loading endpoints…
                </td>
              </tr>
            ) : null}
            {list.data && !list.items.length ? (
              <tr>
                <td colSpan={5} className="empty">
                  {status
                    ? `No ${status} endpoints.`
                    : 'No endpoints yet. Press “Add endpoint”, give it your receiver’s URL and the events it ' +
                      'needs, then send it a test event.'}
                </td>
              </tr>
            ) : null}
            {list.items.map((endpoint) => (
              <tr key={endpoint.id}>
                <td className="webhook-url">
                  <Link href={`/webhooks/${endpoint.id}`}>{endpoint.url}</Link>
                </td>
                <td>{endpoint.description || <span className="muted">—</span>}</td>
                <td title={endpoint.enabled_events.join(', ')}>{eventsSummary(endpoint.enabled_events)}</td>
                <td>
                  <EndpointStatusBadge status={endpoint.status} />
                </td>
                <td>{formatDate(endpoint.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager list={list} label="Endpoint pages" />
    </>
  );
}
