// A delivery log (the account's, an endpoint's or an event's): filter by result and event type,
// a page at a time, newest first; each row opens into its full record.
import { useState } from 'react';
import type { Page } from '../../../sdk/typescript/src/pagination.ts';
import { fieldline, type Schema } from '../api.ts';
import { useCursorList, useQuery } from '../use-query.ts';
import { SelectField, TextField } from './form-fields.tsx';
import { Pager } from './pager.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { WebhookDeliveryRow, type DeliveryColumns } from './webhook-delivery-row.tsx';

type Delivery = Schema<'WebhookDelivery'>;

/** The filters every delivery list takes. */
export interface DeliveryFilter {
  limit: number;
  status?: 'succeeded' | 'failed';
  'event_type[starts_with]'?: string;
}

interface WebhookDeliveryLogProps {
  /** What the list is of, for screen readers and the pager: "Deliveries of this endpoint". */
  label: string;
  load(filter: DeliveryFilter, cursor: string | undefined): PromiseLike<Page<Delivery>>;
  /** Whose log this is (an endpoint or event id): a new one starts again at page 1. */
  scope: string;
  columns: DeliveryColumns;
  emptyText: string;
  /** Change it to read the log again from its first page (after a test send). */
  refreshKey?: number;
  redeliverBlocked?: string | null;
}

export function WebhookDeliveryLog({
  label,
  load,
  scope,
  columns,
  emptyText,
  refreshKey = 0,
  redeliverBlocked = null,
}: WebhookDeliveryLogProps) {
  const [status, setStatus] = useState<'' | 'succeeded' | 'failed'>('');
  const [eventType, setEventType] = useState('');
  const filter: DeliveryFilter = {
    limit: 20,
    ...(status ? { status } : {}),
    ...(eventType.trim() ? { 'event_type[starts_with]': eventType.trim() } : {}),
  };
  const list = useCursorList((cursor) => load(filter, cursor), [scope, status, eventType.trim(), refreshKey]);
  const endpointUrls = useEndpointUrls(columns.endpoint ? list.items : []);
  const columnCount = columns.endpoint ? 8 : 7;
  const filtered = Boolean(status || eventType.trim());
  return (
    <>
      <div className="toolbar">
        <SelectField label="Result" value={status} onChange={(event) => setStatus(event.target.value as typeof status)}>
          <option value="">All</option>
          <option value="succeeded">Succeeded</option>
          <option value="failed">Failed</option>
        </SelectField>
        <TextField
          label="Event type starts with"
          type="search"
          value={eventType}
          onChange={(event) => setEventType(event.target.value)}
        />
        <button type="button" onClick={list.reload} disabled={list.loading}>
          Refresh
        </button>
      </div>
      <ProblemNotice error={list.error} />
      <div className="table-wrap webhook-table" aria-busy={list.loading}>
        <table>
          <caption className="sr-only">{label}</caption>
          <thead>
            <tr>
              <th>Result</th>
              <th>Event</th>
              {columns.endpoint ? <th>Endpoint</th> : null}
              <th className="num">Attempt</th>
              <th className="num">HTTP</th>
              <th className="num">Duration</th>
              <th>Sent</th>
              <th>
                <span className="sr-only">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.loading && !list.data ? (
              <tr className="webhook-table-loading">
                <td colSpan={columnCount} className="empty">
                  Loading deliveries…
                </td>
              </tr>
            ) : null}
            {list.data && !list.items.length ? (
              <tr>
                <td colSpan={columnCount} className="empty">
                  {filtered ? 'No delivery matches these filters. Choose “All” or clear the event type.' : emptyText}
                </td>
              </tr>
            ) : null}
            {list.items.map((delivery) => (
              <WebhookDeliveryRow
                key={delivery.id}
                delivery={delivery}
                columns={columns}
                columnCount={columnCount}
                endpointUrl={delivery.endpoint ? endpointUrls[delivery.endpoint] : undefined}
                redeliverBlocked={redeliverBlocked}
              />
            ))}
          </tbody>
        </table>
      </div>
      <Pager list={list} label={`${label}: pages`} />
    </>
  );
}

/** The URLs of the endpoints a page of deliveries went to (deleted endpoints stay ids). */
function useEndpointUrls(deliveries: Delivery[]): Record<string, string> {
  const ids = [...new Set(deliveries.map((delivery) => delivery.endpoint).filter((id): id is string => Boolean(id)))]
    .sort()
    .join(',');
  const endpoints = useQuery(async () => {
    if (!ids) return {};
    const page = await fieldline.webhookEndpoints.list({ 'id[in]': ids, limit: 100 });
    return Object.fromEntries(page.data.map((endpoint) => [endpoint.id, endpoint.url]));
  }, [ids]);
  return endpoints.data ?? {};
}
