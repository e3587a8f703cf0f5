// What customers owe now, per currency, by days past the due date (GET /v1/analytics/revenue's
// outstanding and aging), as a table: one row per currency, never added across currencies.
import { formatMoney, type RevenueAnalytics } from './business-data.ts';

const BUCKETS = [
  ['current', 'Not yet due'],
  ['days_1_30', '1–30 days'],
  ['days_31_60', '31–60 days'],
  ['days_61_90', '61–90 days'],
  ['days_over_90', 'Over 90 days'],
] as const;

export function AgingTable({ data, loading }: { data: RevenueAnalytics | undefined; loading: boolean }) {
  const rows = data?.aging ?? [];
  return (
    <div className="table-wrap business-aging" aria-busy={loading}>
      <table>
        <caption className="sr-only">Owed now by days past the due date, per currency</caption>
        <thead>
          <tr>
            <th scope="col">Currency</th>
            {BUCKETS.map(([key, label]) => (
              <th scope="col" className="num" key={key}>
                {label}
              </th>
            ))}
            <th scope="col" className="num">
              Total owed
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.currency}>
              <th scope="row">{row.currency}</th>
              {BUCKETS.map(([key]) => (
                <td className="num" key={key}>
                  {formatMoney(row[key], row.currency)}
                </td>
              ))}
              <td className="num">
                {formatMoney(data?.outstanding.find((o) => o.currency === row.currency)?.amount ?? 0, row.currency)}
              </td>
            </tr>
          ))}
          {rows.length ? null : (
            <tr>
              <td colSpan={BUCKETS.length + 2} className="muted">
                {data ? 'Nothing is owed on open invoices.' : 'Loading…'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
