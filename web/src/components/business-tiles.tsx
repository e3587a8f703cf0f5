// The business page's headline figures (GET /v1/analytics/dashboard): jobs, technician
// utilisation, tickets and leads, then money per currency (never added across currencies). With
// the compare toggle each period figure shows the previous period's beside it.
import { formatNumber, formatPercent } from './format.ts';
import { formatMoney, type Dashboard } from './business-data.ts';

export interface KpiTile {
  label: string;
  value: string;
  detail?: string;
  /** The previous period's figure (compare on), shown beside the value. */
  previous?: string;
}

/** One tile: a named group, so a reader (and a test) finds a figure by its label. */
export function KpiTiles({ tiles, loading, label }: { tiles: KpiTile[]; loading: boolean; label: string }) {
  return (
    <div className="business-tiles" aria-busy={loading} aria-label={label} role="region">
      {tiles.map((tile) => (
        <div className="stat" key={tile.label} role="group" aria-label={tile.label}>
          <div className="label">{tile.label}</div>
          <div className="value">{tile.value}</div>
          <div className="detail">{tile.detail ?? '\u00a0'}</div>
          <div className="previous">{tile.previous ? `Previous period: ${tile.previous}` : '\u00a0'}</div>
        </div>
      ))}
    </div>
  );
}

const invoices = (n: number) => `${formatNumber(n)} ${n === 1 ? 'invoice' : 'invoices'}`;

const sum = (counts: Record<string, number> | undefined) =>
  counts ? Object.values(counts).reduce((a, b) => a + b, 0) : undefined;

/** Jobs, utilisation, tickets and leads. */
export function operationsTiles(data: Dashboard | undefined): KpiTile[] {
  const previous = data?.previous_period ?? undefined;
  const utilisation = data?.technician_utilisation;
  return [
    {
      label: 'Jobs today',
      value: formatNumber(data?.today.jobs),
      detail: data ? `${data.today.jobs_by_status.completed} completed` : undefined,
    },
    {
      label: 'Jobs in the period',
      value: formatNumber(data?.jobs),
      detail: data ? `${data.jobs_by_status.completed} completed` : undefined,
      previous: previous && formatNumber(previous.jobs),
    },
    {
      label: 'Technician utilisation',
      value: formatPercent(utilisation?.utilisation),
      detail: utilisation
        ? `${formatNumber(utilisation.scheduled_hours, 2)} of ${formatNumber(utilisation.available_hours)} h`
        : undefined,
      previous: previous && formatPercent(previous.technician_utilisation.utilisation),
    },
    {
      label: 'Open tickets',
      value: formatNumber(sum(data?.open_tickets_by_priority)),
      detail: data ? `${data.tickets.opened} opened in the period` : undefined,
      previous: previous && `${formatNumber(previous.tickets.opened)} opened`,
    },
    {
      label: 'SLA breaches',
      value: formatNumber(data?.open_tickets_past_due),
      detail: data ? `open past due; ${data.tickets.resolved_late} resolved late` : undefined,
      previous: previous && `${formatNumber(previous.tickets.resolved_late)} resolved late`,
    },
    {
      label: 'Leads created',
      value: formatNumber(data?.leads.created),
      detail: data ? `${data.leads.converted} converted in the period` : undefined,
      previous: previous && formatNumber(previous.leads.created),
    },
    {
      label: 'Lead conversion rate',
      value: formatPercent(data?.leads.conversion_rate),
      detail: 'of the leads created in the period',
      previous: previous && formatPercent(previous.leads.conversion_rate),
    },
  ];
}

/** Invoiced, collected and overdue, one set per currency seen in the period or owed now. */
export function moneyTiles(data: Dashboard | undefined): KpiTile[] {
  if (!data) return [];
  const currencies = [...new Set([...data.revenue, ...data.overdue].map((entry) => entry.currency))].sort();
  return currencies.flatMap((currency) => {
    const revenue = data.revenue.find((entry) => entry.currency === currency);
    const before = data.previous_period?.revenue.find((entry) => entry.currency === currency);
    const overdue = data.overdue.find((entry) => entry.currency === currency);
    const money = (minor: number | undefined) => formatMoney(minor ?? 0, currency);
    return [
      {
        label: `Invoiced (${currency})`,
        value: money(revenue?.invoiced),
        detail: `${invoices(revenue?.invoices ?? 0)} sent`,
        previous: data.previous_period ? money(before?.invoiced) : undefined,
      },
      {
        label: `Collected (${currency})`,
        value: money(revenue?.collected),
        detail: 'payments received',
        previous: data.previous_period ? money(before?.collected) : undefined,
      },
      {
        label: `Overdue now (${currency})`,
        value: money(overdue?.amount),
        detail: `${invoices(overdue?.invoices ?? 0)} past due`,
      },
    ];
  });
}
