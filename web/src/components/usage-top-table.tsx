// The busiest routes or keys of the range (GET /v1/usage?group_by=…), each linking to its
// requests in the request log.
import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { formatNumber, formatPercent } from './format.ts';
import type { GroupTotals } from './usage-data.ts';

interface UsageTopTableProps {
  title: string;
  /** The first column's heading, e.g. "Route". */
  column: string;
  rows: GroupTotals[];
  loading: boolean;
  /** How a group reads, and where it links (null: no link). */
  describe(group: string | null): { label: ReactNode; href: string | null };
  emptyText: string;
  shown?: number;
}

export function UsageTopTable({ title, column, rows, loading, describe, emptyText, shown = 10 }: UsageTopTableProps) {
  return (
    <div className="usage-top">
      <h3>{title}</h3>
      <div className="table-wrap" aria-busy={loading}>
        <table>
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{column}</th>
              <th scope="col" className="num">
                Requests
              </th>
              <th scope="col" className="num">
                Errors
              </th>
              <th scope="col" className="num">
                Error rate
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, shown).map((row) => {
              const { label, href } = describe(row.group);
              return (
                <tr key={String(row.group)}>
                  <td>{href ? <Link href={href}>{label}</Link> : label}</td>
                  <td className="num">{formatNumber(row.requests)}</td>
                  <td className="num">{formatNumber(row.errors)}</td>
                  <td className="num">{formatPercent(row.errorRate)}</td>
                </tr>
              );
            })}
            {!rows.length ? (
              <tr>
                <td colSpan={4} className="empty">
                  {loading ? 'Loading…' : emptyText}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {rows.length > shown ? (
        <p className="muted small">
          The {shown} busiest of {rows.length}.
        </p>
      ) : null}
    </div>
  );
}
