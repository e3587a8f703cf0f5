// How values read in the portal: dates in the reader's locale, numbers grouped, durations short.

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return value.toLocaleString(undefined, { maximumFractionDigits: digits });
}

export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined) return '—';
  return `${(ratio * 100).toLocaleString(undefined, { maximumFractionDigits: 1 })} %`;
}

/** 2xx green, 4xx amber, 5xx red: the class of a status badge. */
export function statusClass(status: number): string {
  if (status >= 500) return 'badge badge-bad';
  if (status >= 400) return 'badge badge-warn';
  return 'badge badge-good';
}
