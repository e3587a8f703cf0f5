// One monthly quota as a bar with its numbers: used of the plan's limit, amber from 75 %, red
// from 90 % (the API warns the account at 80 %). A meter for assistive technology.
import { formatNumber, formatPercent } from './format.ts';

export function QuotaBar({
  label,
  used,
  limit,
}: {
  label: string;
  used: number | undefined;
  limit: number | undefined;
}) {
  const share = used !== undefined && limit ? used / limit : undefined;
  const level = share === undefined ? 'good' : share >= 0.9 ? 'bad' : share >= 0.75 ? 'warn' : 'good';
  return (
    <div className="quota-bar">
      <div className="quota-label">
        <span>{label}</span>
        <span className="num">
          <strong>{formatNumber(used)}</strong> of {formatNumber(limit)} ({formatPercent(share)})
        </span>
      </div>
      <div
        className={`bar bar-${level}`}
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={limit ?? 0}
        aria-valuenow={used ?? 0}
        aria-valuetext={`${formatNumber(used)} of ${formatNumber(limit)}, ${formatPercent(share)}`}
      >
        <span style={{ width: `${Math.min(100, (share ?? 0) * 100)}%` }} />
      </div>
    </div>
  );
}
