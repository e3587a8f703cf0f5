// The usage dashboard's headline numbers for the chosen range: requests, error rate, p95
// latency and rate-limit rejections (429s).
import { formatNumber, formatPercent } from './format.ts';

export interface UsageTileValues {
  requests: number | undefined;
  /** A ratio (0-1). */
  errorRate: number | undefined;
  p95Ms: number | null | undefined;
  rateLimited: number | undefined;
}

export function UsageTiles({ values, loading }: { values: UsageTileValues; loading: boolean }) {
  const tiles = [
    { label: 'Requests', value: formatNumber(values.requests) },
    { label: 'Error rate (4xx and 5xx)', value: formatPercent(values.errorRate) },
    { label: 'p95 latency', value: values.p95Ms == null ? '—' : `${formatNumber(values.p95Ms, 1)} ms` },
    { label: 'Rate limited (429)', value: formatNumber(values.rateLimited) },
  ];
  return (
    <div className="usage-tiles" aria-busy={loading}>
      {tiles.map((tile) => (
        <div className="stat" key={tile.label} role="group" aria-label={tile.label}>
          <div className="value">{tile.value}</div>
          <div className="label">{tile.label}</div>
        </div>
      ))}
    </div>
  );
}
