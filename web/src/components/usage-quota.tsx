// This month's quota use against the plan (GET /v1/rate-limit): requests and webhook
// deliveries used of their limits, and the per-minute rate limits of this credential.
import { fieldline } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { formatNumber } from './format.ts';
import { ProblemNotice } from './problem-notice.tsx';
import { QuotaBar } from './quota-bar.tsx';

const BUCKET_WORDS: Record<string, string> = {
  read: 'Reads (GET)',
  write: 'Writes (POST, PATCH, DELETE)',
  expensive: 'Expensive (export, bulk, search, analytics)',
};

function days(seconds: number): string {
  const d = Math.ceil(seconds / 86_400);
  return d <= 1 ? 'within a day' : `in ${d} days`;
}

/** `refreshedAt`: reloads when the dashboard is refreshed. */
export function UsageQuota({ refreshedAt }: { refreshedAt: number }) {
  const status = useQuery(() => fieldline.rateLimit.get(), [refreshedAt]);
  const data = status.data;
  return (
    <div className="card usage-quota" aria-busy={status.loading}>
      <h2>
        Plan and quota
        {data ? (
          <>
            {' '}
            <span className="badge">{data.plan}</span>
          </>
        ) : null}
      </h2>
      <ProblemNotice error={status.error} title="Quota use did not load" />
      <QuotaBar label="API requests this month" used={data?.quota.requests_used} limit={data?.quota.requests_limit} />
      <QuotaBar
        label="Webhook deliveries this month"
        used={data?.quota.webhook_deliveries_used}
        limit={data?.quota.webhook_deliveries_limit}
      />
      <p className="muted small">
        {data ? (
          <>
            Period {data.quota.period} (UTC); resets {days(data.quota.reset_seconds)}.{' '}
          </>
        ) : (
          'Loading… '
        )}
        Past the request quota, calls answer 429; past the delivery quota, webhook deliveries wait for the next month
        (none is dropped).
      </p>
      <h3>Rate limits</h3>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Requests</th>
              <th scope="col" className="num">
                Limit
              </th>
              <th scope="col" className="num">
                Left now
              </th>
            </tr>
          </thead>
          <tbody>
            {(data?.policies ?? []).map((policy) => (
              <tr key={policy.bucket}>
                <td>{BUCKET_WORDS[policy.bucket] ?? policy.bucket}</td>
                <td className="num">
                  {formatNumber(policy.limit)} per{' '}
                  {policy.window_seconds === 60 ? 'minute' : `${policy.window_seconds} s`}
                </td>
                <td className="num">{formatNumber(policy.remaining)}</td>
              </tr>
            ))}
            {!data ? (
              <tr>
                <td colSpan={3} className="empty">
                  {status.loading ? 'Loading…' : 'Not available.'}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <p className="muted small">
        Rate limits count per credential: these are this portal session’s; each API key has its own (call GET
        /v1/rate-limit with the key to see them).
      </p>
    </div>
  );
}
