// The business page's charts: money invoiced and collected per bucket, one chart per currency
// (amounts in the currency's major unit), and jobs completed and created per bucket.
import { useMemo } from 'react';
import { TimeChart } from './time-chart.tsx';
import {
  bucketLabel,
  bucketSeconds,
  minorDigits,
  type Interval,
  type JobsAnalytics,
  type RevenueAnalytics,
} from './business-data.ts';

const PER = { day: 'per day', week: 'per week', month: 'per month' } as const;

export function RevenueCharts({ data, interval }: { data: RevenueAnalytics | undefined; interval: Interval }) {
  const charts = useMemo(() => {
    if (!data) return [];
    const timestamps = data.series.map((point) => bucketSeconds(point.bucket));
    return data.totals.map(({ currency }) => {
      const scale = 10 ** minorDigits(currency);
      const of = (name: 'invoiced' | 'collected') =>
        data.series.map((point) => (point.currencies.find((c) => c.currency === currency)?.[name] ?? 0) / scale);
      return {
        currency,
        timestamps,
        series: [
          { label: 'Invoiced', values: of('invoiced'), color: '#0b5cad' },
          { label: 'Collected', values: of('collected'), color: '#17663a' },
        ],
      };
    });
  }, [data]);
  if (!charts.length)
    return (
      <div className="chart-placeholder muted">
        {data ? 'No money invoiced or collected in this period.' : 'Loading revenue…'}
      </div>
    );
  return (
    <>
      {charts.map((chart) => (
        <TimeChart
          key={chart.currency}
          title={`Revenue in ${chart.currency} ${PER[interval]}`}
          timestamps={chart.timestamps}
          series={chart.series}
          yLabel={chart.currency}
          formatTime={bucketLabel(interval)}
        />
      ))}
    </>
  );
}

export function JobsChart({ data, interval }: { data: JobsAnalytics | undefined; interval: Interval }) {
  const { timestamps, series } = useMemo(() => {
    const points = data?.series ?? [];
    return {
      timestamps: points.map((point) => bucketSeconds(point.bucket)),
      series: [
        { label: 'Completed', values: points.map((point) => point.completed), color: '#17663a' },
        { label: 'Created', values: points.map((point) => point.created), color: '#0b5cad' },
      ],
    };
  }, [data]);
  return (
    <TimeChart
      title={`Jobs ${PER[interval]}`}
      timestamps={timestamps}
      series={series}
      yLabel="jobs"
      formatTime={bucketLabel(interval)}
    />
  );
}
