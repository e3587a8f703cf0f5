// Money in analytics: sums are integers in minor units, one entry per currency, never added
// across currencies. Figures from several statements merge into one entry per currency.
import { z } from 'zod';
import type { Row } from '../db/database.ts';
import { num } from './analytics-sql.ts';

export const currencyField = z.string().describe('ISO 4217 code; amounts are in its minor unit.');

/** The schema of a per-currency list whose entries carry `amounts` (integers in minor units). */
export function perCurrency(amounts: Record<string, string>, description: string) {
  const shape = Object.fromEntries(Object.entries(amounts).map(([name, about]) => [name, z.int().describe(about)]));
  return z.array(z.object({ currency: currencyField, ...shape })).describe(description);
}

/**
 * One entry per currency seen in any of `rows` (sorted by code), with every name of `names`
 * (0 where a statement had no row for that currency).
 */
export function mergeByCurrency(names: readonly string[], ...rowSets: readonly Row[][]): Record<string, any>[] {
  const entries = new Map<string, Record<string, any>>();
  for (const rows of rowSets) {
    for (const row of rows) {
      const entry = entries.get(row.currency) ?? {
        currency: row.currency,
        ...Object.fromEntries(names.map((n) => [n, 0])),
      };
      for (const name of names) if (name in row) entry[name] = num(row[name]);
      entries.set(row.currency, entry);
    }
  }
  return [...entries.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
}
