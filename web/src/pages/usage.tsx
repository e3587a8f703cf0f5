// Usage: the account's API traffic over a range (GET /v1/usage): headline numbers, charts of
// requests, error rate and latency, the busiest routes and keys, errors, and quota use. Of
// integrations (API keys, OAuth apps) by default; `?traffic=all` adds the portal's own calls.
import { useMemo, useState } from 'react';
import { useSearchParams } from 'wouter';
import { fieldline } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';
import { Checkbox, SelectField } from '../components/form-fields.tsx';
import {
  INCLUDE_PORTAL_HINT,
  INCLUDE_PORTAL_LABEL,
  trafficFrom,
  usageCredential,
} from '../components/traffic-filter.ts';
import { keyLabel, useKeyNames } from '../components/logs-key-names.ts';
import { UsageTiles, type UsageTileValues } from '../components/usage-tiles.tsx';
import { UsageCharts } from '../components/usage-charts.tsx';
import { UsageTopTable } from '../components/usage-top-table.tsx';
import { UsageErrors } from '../components/usage-errors.tsx';
import { UsageQuota } from '../components/usage-quota.tsx';
import { RANGES, isRangeId, rangeWindow, seriesOf, totalsByGroup, type RangeId } from '../components/usage-data.ts';
import './analytics.css';

export function UsagePage() {
  const [params, setParams] = useSearchParams();
  const rangeParam = params.get('range');
  const range: RangeId = isRangeId(rangeParam) ? rangeParam : '24h';
  const keyId = params.get('key') ?? '';
  const traffic = trafficFrom(params);
  const bucket = RANGES[range].bucket;
  const [refreshedAt, setRefreshedAt] = useState(() => Date.now());
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const { from, to } = useMemo(() => rangeWindow(range, Date.now()), [range, refreshedAt]);
  const keys = useKeyNames();

  const credential = usageCredential(traffic);
  const keyFilter = { ...credential, ...(keyId ? { api_key_id: keyId } : {}) };
  const usage = useQuery(
    () => fieldline.usage.get({ from, to, bucket, ...keyFilter }),
    [from, to, bucket, keyId, traffic],
  );
  const byRoute = useQuery(
    () => fieldline.usage.get({ from, to, bucket: 'day', group_by: 'route', ...keyFilter }),
    [from, to, keyId, traffic],
  );
  const byKey = useQuery(
    () => fieldline.usage.get({ from, to, bucket: 'day', group_by: 'api_key', ...credential }),
    [from, to, traffic],
  );

  const span = usage.data ?? { from, to, bucket };
  const series = useMemo(
    () => seriesOf(span, usage.data?.buckets ?? []),
    [usage.data, span.from, span.to, span.bucket],
  ); // eslint-disable-line react-hooks/exhaustive-deps
  const summary = usage.data?.summary;
  const tiles: UsageTileValues = {
    requests: summary?.requests,
    errorRate: summary?.error_rate,
    p95Ms: summary?.p95_ms,
    rateLimited: summary?.rate_limited,
  };

  const setParam = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next);
  };
  const routeLink = (group: string | null) => {
    const template = group?.split(' ').slice(1).join(' ') ?? '';
    return {
      label: <code>{group ?? '—'}</code>,
      href: template.startsWith('/') ? `/logs?route=${encodeURIComponent(template)}` : null,
    };
  };
  const keyLink = (group: string | null) =>
    group
      ? {
          label: <span title={keys.nameOf(group)}>{keys.shortNameOf(group)}</span>,
          href: `/logs?key=${encodeURIComponent(group)}`,
        }
      : {
          label: (
            <span className="muted">
              {traffic === 'all' ? 'No key (OAuth apps, portal sessions)' : 'No key (OAuth apps)'}
            </span>
          ),
          href: null,
        };

  return (
    <section className="analytics">
      <PageHeader
        title="Usage"
        description={
          "Your account's API traffic, computed from the request log (kept 30 days). Shown by default: your " +
          "integrations' calls (API keys and OAuth apps), not this portal's own."
        }
      >
        <button type="button" onClick={() => setRefreshedAt(Date.now())} disabled={usage.loading}>
          Refresh
        </button>
      </PageHeader>
      <div className="toolbar">
        <SelectField
          label="Range"
          value={range}
          onChange={(event) => setParam('range', event.target.value === '24h' ? '' : event.target.value)}
        >
          {(Object.keys(RANGES) as RangeId[]).map((id) => (
            <option key={id} value={id}>
              {RANGES[id].label}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Traffic of"
          value={keyId}
          onChange={(event) => setParam('key', event.target.value)}
          aria-busy={keys.loading}
        >
          <option value="">{traffic === 'all' ? 'All credentials' : 'All keys and OAuth apps'}</option>
          {keys.keys.map((key) => (
            <option key={key.id} value={key.id}>
              {keyLabel(key)}
            </option>
          ))}
          {keyId && !keys.keys.some((key) => key.id === keyId) ? <option value={keyId}>{keyId}</option> : null}
        </SelectField>
        <div className="traffic-choice">
          <Checkbox
            label={INCLUDE_PORTAL_LABEL}
            title={INCLUDE_PORTAL_HINT}
            checked={traffic === 'all'}
            onChange={(event) => setParam('traffic', event.target.checked ? 'all' : '')}
          />
        </div>
      </div>
      <ProblemNotice error={usage.error} title="Usage did not load" />
      <UsageTiles values={tiles} loading={usage.loading} />
      <UsageCharts series={series} bucket={bucket} />
      <h2>Busiest routes and keys</h2>
      <ProblemNotice error={byRoute.error ?? byKey.error} title="Traffic by route or key did not load" />
      <div className="grid-2">
        <UsageTopTable
          title={keyId ? 'Top routes of this key' : 'Top routes'}
          column="Route"
          rows={totalsByGroup(byRoute.data?.buckets ?? [])}
          loading={byRoute.loading}
          describe={routeLink}
          emptyText="No requests in this range. Call the API with a key to see its routes here."
        />
        <UsageTopTable
          title="Top keys"
          column="Credential"
          rows={totalsByGroup(byKey.data?.buckets ?? [])}
          loading={byKey.loading}
          describe={keyLink}
          emptyText="No requests in this range. Create a key on the API keys page and call the API with it."
        />
      </div>
      <UsageErrors from={from} to={to} apiKeyId={keyId || undefined} credential={credential.credential} />
      <UsageQuota refreshedAt={refreshedAt} />
    </section>
  );
}
