// The last 24 hours of the account's API traffic, at a glance, on the overview.
import { Link } from 'wouter';
import { fieldline } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { formatNumber, formatPercent } from './format.ts';
import { ProblemNotice } from './problem-notice.tsx';

export function OverviewUsage() {
  const usage = useQuery(() => fieldline.usage.get({ bucket: 'hour' }), []);
  const summary = usage.data?.summary;
  const tiles = [
    { label: 'Requests, last 24 h', value: formatNumber(summary?.requests) },
    { label: 'Error rate', value: formatPercent(summary?.error_rate) },
    { label: 'p95 latency', value: summary?.p95_ms == null ? '—' : `${formatNumber(summary.p95_ms, 1)} ms` },
    { label: 'Rate limited', value: formatNumber(summary?.rate_limited) },
  ];
  return (
    <>
      <h2>Last 24 hours</h2>
      <ProblemNotice error={usage.error} />
      <div className="grid-3 tiles" aria-busy={usage.loading}>
        {tiles.map((tile) => (
          <div className="stat" key={tile.label}>
            <div className="value">{tile.value}</div>
            <div className="label">{tile.label}</div>
          </div>
        ))}
      </div>
      <p><Link href="/usage">Usage dashboard</Link> · <Link href="/logs">Request logs</Link></p>
    </>
  );
}
