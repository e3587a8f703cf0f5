// One request log entry in full: what was asked, how it ended, who asked, and for a failure
// the problem returned, the body received and the (redacted) headers.
import { Link } from 'wouter';
import { formatDate, formatNumber, statusClass } from './format.ts';
import type { KeyNames } from './logs-key-names.ts';
import { latencyMs, type RequestLog } from './logs-table.tsx';

function bytes(value: number | null | undefined): string {
  return value == null ? 'Not known (streamed)' : `${formatNumber(value)} B`;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

export function LogsEntry({ entry, keys }: { entry: RequestLog; keys: KeyNames }) {
  const failed = entry.status != null && entry.status >= 400;
  const problem = entry.response_body as { title?: string; detail?: string; code?: string } | null;
  return (
    <>
      <div className="card">
        <h2 className="entry-line">
          <code>{entry.method}</code> <code className="entry-path">{entry.path}</code>{' '}
          {entry.status == null ? null : <span className={statusClass(entry.status)}>{entry.status}</span>}
        </h2>
        <dl className="facts">
          <div>
            <dt>Route template</dt>
            <dd>
              {entry.route ? (
                <Link href={`/logs?route=${encodeURIComponent(entry.route)}`}>
                  <code>{entry.route}</code>
                </Link>
              ) : (
                <span className="muted">No route matched</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd>
              {entry.status ?? '—'}
              {entry.error_code ? (
                <>
                  {' '}
                  · <code>{entry.error_code}</code>
                </>
              ) : null}
            </dd>
          </div>
          <div>
            <dt>Latency</dt>
            <dd>{formatNumber(latencyMs(entry.duration_us), 2)} ms</dd>
          </div>
          <div>
            <dt>Time</dt>
            <dd>{formatDate(entry.created_at)}</dd>
          </div>
          <div>
            <dt>Credential</dt>
            <dd>
              {entry.api_key_id ? (
                <Link href={`/logs?key=${encodeURIComponent(entry.api_key_id)}`} title="This key's requests">
                  {keys.nameOf(entry.api_key_id)}
                </Link>
              ) : (
                <span>No API key: a signed-in session or an OAuth access token</span>
              )}
            </dd>
          </div>
          <div>
            <dt>IP address</dt>
            <dd>{entry.ip ?? <span className="muted">Not known</span>}</dd>
          </div>
          <div>
            <dt>User agent</dt>
            <dd className="wrap">{entry.user_agent ?? <span className="muted">None sent</span>}</dd>
          </div>
          <div>
            <dt>Bytes in</dt>
            <dd>{bytes(entry.bytes_in)}</dd>
          </div>
          <div>
            <dt>Bytes out</dt>
            <dd>{bytes(entry.bytes_out)}</dd>
          </div>
        </dl>
      </div>

      {failed ? (
        <div className="card">
          <h2>Problem returned</h2>
          {problem?.title || problem?.detail ? (
            <p>
              <strong>{problem.title}</strong>
              {problem.detail ? <> — {problem.detail}</> : null}
            </p>
          ) : null}
          {entry.response_body != null ? (
            <pre aria-label="Problem details (JSON)">{json(entry.response_body)}</pre>
          ) : (
            <p className="muted">The server kept no problem body for this request.</p>
          )}
          <h3>Request body received</h3>
          {entry.request_body != null ? (
            <pre aria-label="Request body (JSON)">{json(entry.request_body)}</pre>
          ) : (
            <p className="muted">No JSON body was sent.</p>
          )}
          <p className="muted small">
            Members whose names suggest a secret (password, token, api_key…) are replaced by “[redacted]” before the
            body is stored.
          </p>
        </div>
      ) : (
        <p className="muted">Headers and bodies are kept only for failed requests.</p>
      )}

      {entry.request_headers ? <RequestHeadersCard headers={entry.request_headers} /> : null}
    </>
  );
}

/** The redacted request headers of a failed request (successes keep none). */
function RequestHeadersCard({ headers }: { headers: Record<string, string> }) {
  const sorted = Object.entries(headers).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="card">
      <h2>Request headers</h2>
      <p className="notice notice-info">
        Redacted by the server before storing: credentials (Authorization, cookies, API keys) keep at most a
        recognisable prefix, never the secret.
      </p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Header</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map(([name, value]) => (
              <tr key={name}>
                <td>
                  <code>{name}</code>
                </td>
                <td className="wrap">
                  <code>{value}</code>
                </td>
              </tr>
            ))}
            {!sorted.length ? (
              <tr>
                <td colSpan={2} className="empty">
                  No headers were kept.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </div>
  );
}
