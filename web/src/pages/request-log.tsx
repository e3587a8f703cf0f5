// One request from the log (GET /v1/request-logs/{request_id}), or why it is not there.
import { Link } from 'wouter';
import { fieldline, FieldlineError } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';
import { LogsEntry } from '../components/logs-entry.tsx';
import { LogsOpenRequest } from '../components/logs-open-request.tsx';
import { useKeyNames } from '../components/logs-key-names.ts';
import './analytics.css';

function requestIdOf(param: string): string {
  try {
    return decodeURIComponent(param);
  } catch {
    return param;
  }
}

export function RequestLogPage({ params }: { params: { requestId: string } }) {
  const requestId = requestIdOf(params.requestId);
  const entry = useQuery(() => fieldline.requestLogs.get(requestId), [requestId]);
  const keys = useKeyNames();
  const notFound = entry.error instanceof FieldlineError && entry.error.status === 404;
  return (
    <section className="analytics">
      <PageHeader title="Request" description={<code>{requestId}</code>}>
        <Link href="/logs">All requests</Link>
      </PageHeader>
      {entry.loading && !entry.data ? (
        <div className="card entry-loading" aria-busy="true">
          <p className="muted">Loading the request…</p>
        </div>
      ) : null}
      {notFound ? (
        <div className="notice notice-info" role="status">
          <strong>Not in your request log</strong>
          <p>
            No request <code>{requestId}</code> in this account: it may belong to another account, be older than the
            30-day retention, or have been made a moment ago (entries are written within a few seconds).
          </p>
          <div className="actions">
            <button type="button" onClick={entry.reload}>
              Look again
            </button>
          </div>
        </div>
      ) : (
        <ProblemNotice error={entry.error} title="The request did not load" />
      )}
      {notFound ? <LogsOpenRequest /> : null}
      {entry.data && !entry.error ? <LogsEntry entry={entry.data} keys={keys} /> : null}
    </section>
  );
}
