// The plan's limits as they stand (GET /v1/rate-limit): this month's request and webhook
// delivery quotas as bars with numbers, and the per-minute rate buckets.
import { fieldline } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { formatNumber } from './format.ts';
import { ProblemNotice } from './problem-notice.tsx';
import { QuotaBar } from './quota-bar.tsx';

function duration(seconds: number): string {
  if (seconds >= 86_400) return `${formatNumber(seconds / 86_400, 1)} days`;
  if (seconds >= 3600) return `${formatNumber(seconds / 3600, 1)} h`;
  if (seconds >= 60) return `${formatNumber(seconds / 60, 1)} min`;
  return `${seconds} s`;
}

export function SettingsLimits() {
  const limits = useQuery(() => fieldline.rateLimit.get(), []);
  const data = limits.data;
  return (
    <section className="card settings-limits" aria-labelledby="limits-heading" aria-busy={limits.loading}>
      <h2 id="limits-heading">Plan and limits</h2>
      <ProblemNotice error={limits.error} />
      <p className="muted">
        Plan <span className="badge">{data?.plan ?? '…'}</span> · month {data?.quota.period ?? '…'}
        {data ? <>, resets in {duration(data.quota.reset_seconds)}</> : null}
      </p>
      <QuotaBar label="API requests this month" used={data?.quota.requests_used} limit={data?.quota.requests_limit} />
      <QuotaBar
        label="Webhook deliveries this month"
        used={data?.quota.webhook_deliveries_used}
        limit={data?.quota.webhook_deliveries_limit}
      />
      <h3>Rate limits</h3>
      <p className="muted">
        Counted per credential (this browser session counts on its own). Limits are{' '}
        {data?.store === 'redis' ? 'shared by every API node' : 'counted per API node'}.
      </p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Bucket</th>
              <th scope="col" className="num">
                Limit
              </th>
              <th scope="col" className="num">
                Window
              </th>
              <th scope="col" className="num">
                Left now
              </th>
              <th scope="col" className="num">
                Resets in
              </th>
            </tr>
          </thead>
          <tbody>
            {(data?.policies ?? []).map((policy) => (
              <tr key={policy.bucket}>
                <td>{policy.bucket}</td>
                <td className="num">{formatNumber(policy.limit)}</td>
                <td className="num">{duration(policy.window_seconds)}</td>
                <td className="num">{formatNumber(policy.remaining)}</td>
                <td className="num">{duration(policy.reset_seconds)}</td>
              </tr>
            ))}
            {!data ? (
              <tr>
                <td colSpan={5} className="empty">
                  {limits.loading ? 'Loading limits…' : 'The limits did not load.'}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <p className="muted">read: GET · write: POST, PATCH, DELETE · expensive: exports, bulk, search and analytics.</p>
    </section>
  );
}
