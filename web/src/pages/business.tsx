// Business: the account's work and money over a range (GET /v1/analytics/dashboard, /revenue and
// /jobs, scope read:analytics): headline tiles, jobs by status, revenue and jobs charts by
// interval, and what is owed now by age. The range lives in the URL, so a view can be shared.
import { useSearchParams } from 'wouter';
import { fieldline } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';
import { KpiTiles, moneyTiles, operationsTiles } from '../components/business-tiles.tsx';
import { JobStatusTable } from '../components/business-job-status.tsx';
import { JobsChart, RevenueCharts } from '../components/business-charts.tsx';
import { AgingTable } from '../components/business-aging.tsx';
import { BusinessRangePicker } from '../components/business-range.tsx';
import { isInterval, type Interval } from '../components/business-data.ts';
import './analytics.css';
import './business.css';

export function BusinessPage() {
  const [params, setParams] = useSearchParams();
  const from = params.get('from') ?? undefined;
  const to = params.get('to') ?? undefined;
  const intervalParam = params.get('interval');
  const interval: Interval = isInterval(intervalParam) ? intervalParam : 'day';
  const compare = params.get('compare') === '1';
  // No from/to: the API's default period (the last 30 days of the account's calendar).
  const span = { ...(from ? { from } : {}), ...(to ? { to } : {}), interval };
  const deps = [from, to, interval];

  const dashboard = useQuery(
    () => fieldline.analytics.getDashboard({ ...span, ...(compare ? { compare: 'previous_period' } : {}) }),
    [...deps, compare],
  );
  const revenue = useQuery(() => fieldline.analytics.getRevenue(span), deps);
  const jobs = useQuery(() => fieldline.analytics.getJobs(span), deps);

  const setRange = (next: Partial<{ from: string; to: string; interval: Interval; compare: boolean }>) => {
    const url = new URLSearchParams(params);
    const period = { from: next.from ?? from ?? dashboard.data?.from, to: next.to ?? to ?? dashboard.data?.to };
    if (period.from) url.set('from', period.from);
    if (period.to) url.set('to', period.to);
    if (next.interval) url.set('interval', next.interval);
    if (next.compare !== undefined) {
      if (next.compare) url.set('compare', '1');
      else url.delete('compare');
    }
    setParams(url);
  };
  const data = dashboard.data;

  return (
    <section className="analytics business">
      <PageHeader
        title="Business"
        description={
          <>
            Jobs, money, tickets and leads over a period, counted in your account&apos;s time zone
            {data ? ` (${data.time_zone})` : ''}. Money is shown per currency, never added across currencies.
          </>
        }
      />
      <BusinessRangePicker
        range={{ from: from ?? data?.from ?? '', to: to ?? data?.to ?? '', interval, compare }}
        today={data?.today.date}
        onChange={setRange}
      />
      <ProblemNotice error={dashboard.error} title="The dashboard did not load" />
      <h2>Work</h2>
      <KpiTiles label="Work" tiles={operationsTiles(data)} loading={dashboard.loading} />
      <h2>Money</h2>
      <div className="business-money">
        {data && !moneyTiles(data).length ? (
          <p className="muted stat">No invoices sent, payments received or amounts overdue in this period.</p>
        ) : (
          <KpiTiles label="Money" tiles={moneyTiles(data)} loading={dashboard.loading} />
        )}
      </div>
      <h2>Jobs by status</h2>
      <JobStatusTable data={data} />
      <h2>Over time</h2>
      <ProblemNotice error={revenue.error ?? jobs.error} title="A chart did not load" />
      <div className="business-charts">
        <div>
          <RevenueCharts data={revenue.data} interval={interval} />
        </div>
        <JobsChart data={jobs.data} interval={interval} />
      </div>
      <h2>Owed now, by age</h2>
      <AgingTable data={revenue.data} loading={revenue.loading} />
    </section>
  );
}
