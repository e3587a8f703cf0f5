// Jobs by status today and in the period (and the previous period with compare), as a table.
import { formatNumber } from './format.ts';
import type { Dashboard } from './business-data.ts';

const labelOf = (status: string) => status.charAt(0).toUpperCase() + status.slice(1).replace(/_/g, ' ');

export function JobStatusTable({ data }: { data: Dashboard | undefined }) {
  const statuses = data ? Object.keys(data.jobs_by_status) : [];
  const previous = data?.previous_period;
  return (
    <div className="table-wrap business-status">
      <table>
        <caption className="sr-only">Jobs by status</caption>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Today
            </th>
            <th scope="col" className="num">
              Period
            </th>
            {previous ? (
              <th scope="col" className="num">
                Previous period
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {data ? (
            statuses.map((status) => (
              <tr key={status}>
                <th scope="row">{labelOf(status)}</th>
                <td className="num">
                  {formatNumber(data.today.jobs_by_status[status as keyof Dashboard['jobs_by_status']])}
                </td>
                <td className="num">
                  {formatNumber(data.jobs_by_status[status as keyof Dashboard['jobs_by_status']])}
                </td>
                {previous ? (
                  <td className="num">
                    {formatNumber(previous.jobs_by_status[status as keyof Dashboard['jobs_by_status']])}
                  </td>
                ) : null}
              </tr>
            ))
          ) : (
            <tr>
              <td colSpan={3} className="muted">
                Loading…
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
