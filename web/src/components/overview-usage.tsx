// The last 24 hours of the account's integration traffic (API keys, OAuth apps: not the portal's
// own calls), at a glance, on the overview: the first requests a new integration makes show up here.
import { useMemo, useState } from 'react';
import { Link } from 'wouter';
import { fieldline } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { formatNumber, formatPercent } from './format.ts';
import { ProblemNotice } from './problem-notice.tsx';
import { TimeChart } from './time-chart.tsx';
import { rangeWindow, seriesOf } from './usage-data.ts';
import { usageCredential } from './traffic-filter.ts';

export function OverviewUsage() {
  const [range] = useState(() => rangeWindow('24h', Date.now()));
  const usage = useQuery(
    () => fieldline.usage.get({ ...range, bucket: 'hour', ...usageCredential('integrations') }),
    [range],
  );
  const summary = usage.data?.summary;
  const series = useMemo(() => (usage.data ? seriesOf(usage.data, usage.data.buckets) : null), [usage.data]);
  const counts = useMemo(
    () =>
      series
        ? [
            { label: 'Requests', values: series.requests, color: '#0b5cad' },
            { label: 'Errors', values: series.errors, color: '#b42318' },
          ]
        : [],
    [series],
  );
  const tiles = [
    { label: 'Requests, last 24 h', value: formatNumber(summary?.requests) },
    { label: 'Error rate', value: formatPercent(summary?.error_rate) },
    { label: 'p95 latency', value: summary?.p95_ms == null ? '—' : `${formatNumber(summary.p95_ms, 1)} ms` },
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
      {series ? (
        <TimeChart title="Requests per hour" timestamps={series.timestamps} series={counts} yLabel="requests" />
      ) : (
        <div className="chart" aria-busy="true" />
      )}
      <p>
        <Link href="/usage">Usage dashboard</Link> · <Link href="/logs">Request logs</Link>
      </p>
    </>
  );
}
