// The usage dashboard's three charts: requests (total and errors), error rate and latency
// percentiles, bucket by bucket.
import { useMemo } from 'react';
import { TimeChart } from './time-chart.tsx';
import type { SeriesSet } from './usage-data.ts';

export function UsageCharts({ series, bucket }: { series: SeriesSet; bucket: 'hour' | 'day' }) {
  const per = bucket === 'hour' ? 'per hour' : 'per day';
  const counts = useMemo(
    () => [
      { label: 'Requests', values: series.requests, color: '#0b5cad' },
      { label: 'Errors', values: series.errors, color: '#b42318' },
    ],
    [series],
  );
  const rate = useMemo(() => [{ label: 'Error rate', values: series.errorRate, color: '#8a5a00' }], [series]);
  const latency = useMemo(
    () => [
      { label: 'p50', values: series.p50, color: '#17663a' },
      { label: 'p95', values: series.p95, color: '#0b5cad' },
      { label: 'p99', values: series.p99, color: '#b42318' },
    ],
    [series],
  );
  return (
    <div className="usage-charts">
      <TimeChart title={`Requests ${per}`} timestamps={series.timestamps} series={counts} yLabel="requests" />
      <TimeChart title={`Error rate ${per}`} timestamps={series.timestamps} series={rate} yLabel="%" />
      <TimeChart title={`Latency ${per}`} timestamps={series.timestamps} series={latency} yLabel="ms" />
    </div>
  );
}
