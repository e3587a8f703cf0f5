// Request logs: the account's API calls, newest first, filtered by status, route, key, time and
// whose traffic (the filters live in the URL, so a link reproduces the view), cursor paged. By
// default integrations only (API keys, OAuth apps): the portal's own session calls are one click away.
import { useMemo, useState } from 'react';
import { useSearchParams } from 'wouter';
import { fieldline } from '../api.ts';
import { useCursorList } from '../use-query.ts';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';
import { LogsFilterBar } from '../components/logs-filter-bar.tsx';
import { LogsOpenRequest } from '../components/logs-open-request.tsx';
import { LogsTable, type RequestLog } from '../components/logs-table.tsx';
import { filtersFrom, logsQuery, searchOf, type LogFilters } from '../components/logs-filters.ts';
import { useKeyNames } from '../components/logs-key-names.ts';
import './analytics.css';

export function RequestLogsPage() {
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  const filters = useMemo(() => filtersFrom(new URLSearchParams(search)), [search]);
  const [refreshedAt, setRefreshedAt] = useState(() => Date.now());
  // "Last hour" means the hour before the view was chosen or refreshed: the window stays put
  // while paging, so the cursor keeps pointing into the same list.
  const now = useMemo(() => Date.now(), [search, refreshedAt]); // eslint-disable-line react-hooks/exhaustive-deps
  const query = useMemo(() => logsQuery(filters, now), [filters, now]);
  const keys = useKeyNames();
  const list = useCursorList<RequestLog>(
    (cursor) => fieldline.requestLogs.list({ limit: 25, ...query, cursor }),
    [query, refreshedAt],
  );
  const setFilters = (next: LogFilters) => setParams(new URLSearchParams(searchOf(next)), { replace: false });
  const filtered = search !== '';

  return (
    <section className="analytics">
      <PageHeader
        title="Request logs"
        description={
          'The API requests of this account, kept 30 days: who made it, what it hit, how it ended and how long ' +
          "it took. Shown by default: your integrations' calls (API keys and OAuth apps), not this portal's own."
        }
      >
        <button type="button" onClick={() => setRefreshedAt(Date.now())} disabled={list.loading}>
          Refresh
        </button>
      </PageHeader>
      <LogsOpenRequest />
      <LogsFilterBar filters={filters} onChange={setFilters} keys={keys} />
      <ProblemNotice error={keys.error} title="The list of API keys did not load" />
      <LogsTable
        list={list}
        keys={keys}
        emptyText={
          filtered
            ? 'No request matches these filters. Widen the time range or clear the filters.'
            : 'No requests from API keys or OAuth apps in the last 24 hours. Call the API with a key ' +
              "(try GET /v1/customers) and refresh, or include the portal's own calls."
        }
      />
    </section>
  );
}
