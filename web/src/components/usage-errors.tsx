// Failed requests of the range grouped by problem code and route (GET /v1/errors: the 100
// most frequent groups), with a sample request to open, 20 groups a page.
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { fieldline } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { formatDate, formatNumber, statusClass } from './format.ts';
import { SelectField } from './form-fields.tsx';
import { Pager } from './pager.tsx';
import { ProblemNotice } from './problem-notice.tsx';

const PAGE_SIZE = 20;

interface UsageErrorsProps {
  from: string;
  to: string;
  apiKeyId?: string;
  /** Kinds of credential, comma-separated (the usage page's traffic choice); all when absent. */
  credential?: string;
}

export function UsageErrors({ from, to, apiKeyId, credential }: UsageErrorsProps) {
  const [statusClassFilter, setStatusClassFilter] = useState<'' | '4xx' | '5xx'>('');
  const errors = useQuery(
    () =>
      fieldline.errors.list({
        from,
        to,
        api_key_id: apiKeyId,
        credential,
        ...(statusClassFilter ? { status_class: statusClassFilter } : {}),
      }),
    [from, to, apiKeyId, credential, statusClassFilter],
  );
  const [pageIndex, setPageIndex] = useState(0);
  useEffect(() => setPageIndex(0), [from, to, apiKeyId, credential, statusClassFilter]);
  const groups = errors.data?.groups ?? [];
  const pages = Math.max(1, Math.ceil(groups.length / PAGE_SIZE));
  const shown = groups.slice(pageIndex * PAGE_SIZE, (pageIndex + 1) * PAGE_SIZE);
  return (
    <div className="usage-errors">
      <h2>Errors</h2>
      <div className="toolbar">
        <SelectField
          label="Kind"
          value={statusClassFilter}
          onChange={(event) => setStatusClassFilter(event.target.value as '' | '4xx' | '5xx')}
        >
          <option value="">All errors</option>
          <option value="4xx">Client errors (4xx)</option>
          <option value="5xx">Server errors (5xx)</option>
        </SelectField>
      </div>
      <ProblemNotice error={errors.error} title="Errors did not load" />
      <div className="table-wrap" aria-busy={errors.loading}>
        <table>
          <caption className="sr-only">Failed requests grouped by code and route, most frequent first</caption>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Route</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Count
              </th>
              <th scope="col">First seen</th>
              <th scope="col">Last seen</th>
              <th scope="col">Latest request</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((group) => (
              <tr key={`${group.code} ${group.route} ${group.status}`}>
                <td>
                  <code>{group.code ?? '—'}</code>
                </td>
                <td>
                  <code>{group.route}</code>
                </td>
                <td>
                  <span className={statusClass(group.status)}>{group.status}</span>
                </td>
                <td className="num">{formatNumber(group.count)}</td>
                <td className="nowrap">{formatDate(group.first_seen)}</td>
                <td className="nowrap">{formatDate(group.last_seen)}</td>
                <td>
                  <Link href={`/logs/${encodeURIComponent(group.sample_request_id)}`}>
                    <code>{group.sample_request_id}</code>
                  </Link>
                </td>
              </tr>
            ))}
            {!groups.length ? (
              <tr>
                <td colSpan={7} className="empty">
                  {errors.loading ? 'Loading errors…' : 'No failed requests in this range.'}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager
        label="Error group pages"
        list={{
          pageNumber: pageIndex + 1,
          loading: errors.loading,
          hasPrevious: pageIndex > 0,
          hasNext: pageIndex + 1 < pages,
          previous: () => setPageIndex((i) => Math.max(0, i - 1)),
          next: () => setPageIndex((i) => Math.min(pages - 1, i + 1)),
        }}
      />
    </div>
  );
}
