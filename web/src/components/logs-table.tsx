// One page of the request log: when, what, how it ended, how long it took, with which key (or
// which kind of credential, when none), and the request id that opens the entry.
import { Link } from 'wouter';
import type { Schema } from '../api.ts';
import type { CursorList } from '../use-query.ts';
import { formatDate, formatNumber, statusClass } from './format.ts';
import type { KeyNames } from './logs-key-names.ts';
import { Pager } from './pager.tsx';
import { CREDENTIAL_LABELS } from './traffic-filter.ts';
import { ProblemNotice } from './problem-notice.tsx';

export type RequestLog = Schema<'RequestLog'>;

export const latencyMs = (durationUs: number | null | undefined) => (durationUs == null ? null : durationUs / 1000);

export function LogsTable({
  list,
  keys,
  emptyText,
}: {
  list: CursorList<RequestLog>;
  keys: KeyNames;
  emptyText: string;
}) {
  return (
    <>
      <ProblemNotice error={list.error} />
      <div className="table-wrap logs-table" aria-busy={list.loading}>
        <table>
          <caption className="sr-only">Requests, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Method</th>
              <th scope="col">Route / path</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Latency
              </th>
              <th scope="col">Credential</th>
              <th scope="col">Request id</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((entry) => (
              <tr key={entry.id}>
                <td>{formatDate(entry.created_at)}</td>
                <td>
                  <code>{entry.method}</code>
                </td>
                <td>
                  <code>{entry.route ?? entry.path}</code>
                  {entry.route && entry.path !== entry.route ? (
                    <div className="muted small">
                      <code>{entry.path}</code>
                    </div>
                  ) : null}
                </td>
                <td>
                  {entry.status == null ? '—' : <span className={statusClass(entry.status)}>{entry.status}</span>}
                  {entry.error_code ? <div className="muted small">{entry.error_code}</div> : null}
                </td>
                <td className="num nowrap">{formatNumber(latencyMs(entry.duration_us), 1)} ms</td>
                <td>
                  {entry.api_key_id ? (
                    <span title={keys.nameOf(entry.api_key_id)}>{keys.shortNameOf(entry.api_key_id)}</span>
                  ) : (
                    <span className="muted" title="The kind of credential that made the request: it used no API key">
                      {CREDENTIAL_LABELS[entry.credential ?? ''] ?? 'No key'}
                    </span>
                  )}
                </td>
                <td className="nowrap">
                  <Link href={`/logs/${encodeURIComponent(entry.id)}`}>
                    <code>{entry.id}</code>
                  </Link>
                </td>
              </tr>
            ))}
            {!list.items.length ? (
              <tr>
                <td colSpan={7} className="empty">
                  {list.loading ? 'Loading requests…' : emptyText}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager list={list} label="Request log pages" />
    </>
  );
}
